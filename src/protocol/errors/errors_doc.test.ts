import { readFileSync } from 'node:fs';
import { format } from 'prettier';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from './codes.js';
import { errorsDoc } from './errors_doc.js';
import { ERROR_HELP } from './help.js';

describe('docs/errors.md', () => {
  it('is generated from the code tables (run `npm run docs:errors` after changing them)', async () => {
    const want = await format(errorsDoc(), { parser: 'markdown', proseWrap: 'preserve' });
    expect(readFileSync('docs/errors.md', 'utf8')).toBe(want);
  });

  it('says, for every code, what it means and what to do, in sentences', () => {
    for (const code of Object.keys(ERROR_CODES) as Array<keyof typeof ERROR_CODES>) {
      const help = ERROR_HELP[code];
      expect(help.meaning, code).toMatch(/^[A-Z`'].*[.?]$/s);
      expect(help.action, code).toMatch(/^[A-Z`'].*[.:]|\)$/s);
    }
  });
});
