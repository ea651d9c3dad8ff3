import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every file under `dir` whose name matches `ext`, tests excluded. */
function sources(dir: string, ext = /\.(ts|mjs)$/): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path, ext);
    return ext.test(name) && !name.includes('.test.') ? [path] : [];
  });
}

/** Names that look like settings but are words of the wire (a relay's PeerJS ERROR message). */
const WIRE_WORDS = new Set(['DISCO_REPLACED']);

describe('docs/configuration.md', () => {
  it('lists every DISCO_ environment variable the servers, demos, `npm start`, SDK and scripts read', () => {
    const doc = readFileSync('docs/configuration.md', 'utf8');
    const read = new Set<string>();
    for (const file of [
      ...sources('src/server'),
      ...sources('src/demo'),
      ...sources('src/start'),
      ...sources('scripts'),
    ])
      for (const [name] of readFileSync(file, 'utf8').matchAll(/DISCO_[A-Z0-9_]*[A-Z0-9]\b/g))
        if (!WIRE_WORDS.has(name)) read.add(name);
    expect(read.size).toBeGreaterThan(20);
    const missing = [...read].filter((name) => !doc.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
