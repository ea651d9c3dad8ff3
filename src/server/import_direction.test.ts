import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The import-direction rules of eslint.config.js (docs/layout.md "Imports run one way"), run on
 * made-up files: each case fails if its rule is removed or loosened. Only the direction rules run
 * (no type information is needed for them, and the made-up files are in no tsconfig).
 */
const DIRECTION_RULES = new Set([
  '@typescript-eslint/no-restricted-imports',
  'no-restricted-syntax',
]);

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({
    overrideConfig: {
      languageOptions: { parserOptions: { project: null, projectService: false } },
    },
    ruleFilter: ({ ruleId }) => DIRECTION_RULES.has(ruleId),
  });
});

/** The rules that fired for `code` as if it were the file at `filePath`. */
async function firedRules(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  expect(result?.fatalErrorCount).toBe(0);
  return (result?.messages ?? []).map((m) => m.ruleId ?? 'parse error');
}

const restricted = '@typescript-eslint/no-restricted-imports';

describe('imports run one way (eslint.config.js)', () => {
  it.each([
    // src/server never imports the demos, nor the composition root above them (issue #15)
    ['src/server/probe.ts', "import { startDemos } from '../demo/index.js';", restricted],
    ['src/server/relay/probe.ts', "export * from '../../demo/shop/shop.js';", restricted],
    ['src/server/probe.ts', "import '../start/main.js';", restricted],
    [
      'src/server/probe.ts',
      "export const demos = () => import('../demo/index.js');",
      'no-restricted-syntax',
    ],
    ['src/server/relay/probe.ts', "await import('../../start/main.js');", 'no-restricted-syntax'],
    // the SDK depends on no host
    ['src/sdk/probe.ts', "import '../server/listen.js';", restricted],
    ['src/sdk/probe.ts', "import '../demo/index.js';", restricted],
    // the core imports only the core; auth never imports the engine that routes to it
    ['src/protocol/probe.ts', "import '../sdk/index.js';", restricted],
    ['src/protocol/auth/probe.ts', "import '../engine/endpoints.js';", restricted],
  ])('%s: %s is refused', async (filePath, code, rule) => {
    expect(await firedRules(filePath, code)).toEqual([rule]);
  });

  it.each([
    ['src/start/probe.ts', "import '../demo/index.js'; import '../server/listen.js';"],
    ['src/start/probe.ts', "await import('../demo/index.js');"],
    ['src/demo/probe.ts', "import '../server/listen.js';"],
    ['src/server/probe.ts', "import '../protocol/errors/index.js'; import '../sdk/node.js';"],
    ['src/server/probe.ts', "await import('../server/relay/index.js');"],
    // tests are harnesses, not layers
    ['src/server/probe.test.ts', "import '../demo/index.js';"],
  ])('%s: %s is allowed', async (filePath, code) => {
    expect(await firedRules(filePath, code)).toEqual([]);
  });
});

/** Every source file under `dir` (tests too: a test may not switch a rule off either). */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.(ts|svelte)$/.test(e.name) ? [path] : [];
  });
}

describe('the direction rules cannot be exempted file by file', () => {
  it('no source file switches them off with an eslint comment', () => {
    const files = ['src', 'sw']
      .flatMap(sources)
      .filter((f) => !f.endsWith('import_direction.test.ts'));
    expect(files.length).toBeGreaterThan(100);
    const exempted = files.filter((file) =>
      /eslint-disable[^\n]*(no-restricted-imports|no-restricted-syntax)|eslint-disable(-next-line|-line)?\s*(\*\/|$)/m.test(
        readFileSync(file, 'utf8'),
      ),
    );
    expect(exempted).toEqual([]);
  });
});
