import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDiscoError } from '../errors/index.js';
import { globCovers, matchResource, parseGlob } from './glob.js';

/**
 * Glob vectors. The `like` cases marked "UCAN" follow the examples of the UCAN 1.0 policy
 * language (github.com/ucan-wg/spec, "Glob Matching"): `*` matches any run, `\*` a literal star.
 */
const VECTORS: [pattern: string, resource: string, match: boolean][] = [
  // UCAN examples
  ['Alice*', 'Alice Smith', true],
  ['*@example.com', 'alice@example.com', true],
  ['*@example.com', 'alice@example.org', false],
  ['Alice\\*', 'Alice*', true],
  ['Alice\\*', 'Alice Smith', false],
  ['* Smith', 'Alice Smith', true],
  ['* Smith', 'Alice Smithy', false],
  // the rest of the grammar
  ['', '', true],
  ['', 'a', false],
  ['*', '', true],
  ['*', 'a/b/c', true],
  ['**', 'anything', true],
  ['a**b', 'ab', true],
  ['notes/*', 'notes/', true],
  ['notes/*', 'notes', false],
  ['notes/*', 'Notes/x', false], // case-sensitive
  ['a*b*c', 'abc', true],
  ['a*b*c', 'aXbYc', true],
  ['a*b*c', 'acb', false],
  ['a*a', 'a', false], // prefix and suffix may not overlap
  ['a*a', 'aa', true],
  ['ab*ba', 'aba', false],
  ['\\', '\\', true], // a backslash not before a star is literal, trailing too
  ['a\\b', 'a\\b', true],
  ['\\\\*', '\\*', true], // "\" then "\*": a backslash and a literal star
  ['\\\\*', '\\x', false],
  ['?', 'a', false], // no single-character wildcard
  ['[a]', 'a', false], // no classes
  ['é*', 'é', true],
  ['é*', 'e\u0301', false], // no Unicode normalization
  ['*😀', 'x😀', true],
  ['😀*😀', '😀😀', true],
  ['*\uDE00', 'x😀', false], // a lone surrogate pattern is refused, so no half-character match
];

describe('matchResource', () => {
  for (const [pattern, resource, match] of VECTORS) {
    it(`${JSON.stringify(pattern)} ${match ? 'matches' : 'does not match'} ${JSON.stringify(resource)}`, () => {
      expect(matchResource(pattern, resource)).toBe(match);
    });
  }

  it('gives false, never throws, for non-strings and invalid text', () => {
    expect(matchResource(42 as never, '42')).toBe(false);
    expect(matchResource('*', null as never)).toBe(false);
    expect(matchResource('*', 'a\uD800')).toBe(false);
    expect(matchResource('*', 'x'.repeat(513))).toBe(false);
  });

  it('refuses invalid globs with ERR_CAP_GLOB_INVALID', () => {
    for (const bad of [1, null, undefined, 'a\uDC00', 'x'.repeat(513)]) {
      expect(codeOf(() => parseGlob(bad))).toBe('ERR_CAP_GLOB_INVALID');
    }
  });

  it('agrees with a regular-expression reference on random short inputs', () => {
    const alphabet = fc.constantFrom('a', 'b', '*', '\\', '/');
    fc.assert(
      fc.property(
        fc.string({ unit: alphabet, maxLength: 8 }),
        fc.string({ unit: alphabet, maxLength: 10 }),
        (p, r) => {
          expect(matchResource(p, r)).toBe(reference(p).test(r));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('stays linear on adversarial patterns (a backtracking matcher takes seconds here)', () => {
    const cases: [string, string][] = [
      ['*a'.repeat(250) + 'b', 'a'.repeat(512)],
      ['a*'.repeat(255) + 'b', 'a'.repeat(512)],
      ['*' + 'a'.repeat(255) + 'b*', 'a'.repeat(512)],
      ['*aaaaaaaaab*' + '*a'.repeat(200), 'a'.repeat(512)],
    ];
    const start = performance.now();
    for (let round = 0; round < 20; round++) {
      for (const [p, r] of cases) expect(matchResource(p, r)).toBe(false);
    }
    // 80 matches of 512×512 worst cases; linear work is well under a millisecond each.
    expect(performance.now() - start).toBeLessThan(2000);
  });
});

describe('globCovers (attenuation)', () => {
  const covers = (p: string, c: string) => globCovers(parseGlob(p), parseGlob(c));

  it('accepts narrowings and refuses widenings', () => {
    expect(covers('*', 'notes/*')).toBe(true);
    expect(covers('notes/*', 'notes/work/*')).toBe(true);
    expect(covers('notes/*', 'notes/a')).toBe(true);
    expect(covers('notes/*', 'notes/*')).toBe(true);
    expect(covers('a*b', 'a*b*b')).toBe(true);
    expect(covers('notes/a', 'notes/a')).toBe(true);
    expect(covers('notes/a', 'notes/*')).toBe(false);
    expect(covers('notes/*', '*')).toBe(false);
    expect(covers('notes/*', 'note*')).toBe(false);
    expect(covers('a\\*', 'a*')).toBe(false); // a literal star does not cover a wildcard
    expect(covers('a*', 'a\\*')).toBe(true);
    expect(covers('*x*', '*')).toBe(false);
  });

  it('never widens: whatever the child matches, the parent matches (property)', () => {
    const alphabet = fc.constantFrom('a', 'b', '*', '/');
    fc.assert(
      fc.property(
        fc.string({ unit: alphabet, maxLength: 6 }),
        fc.string({ unit: alphabet, maxLength: 6 }),
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', '/', '*'), maxLength: 3 }), {
          minLength: 7,
          maxLength: 7,
        }),
        (p, c, fills) => {
          if (!covers(p, c)) return;
          // Instantiate the child's stars with arbitrary text: the parent must match each result.
          let i = 0;
          const resource = c.replace(/\*/g, () => fills[i++] ?? '');
          expect(matchResource(c, resource)).toBe(true);
          expect(matchResource(p, resource)).toBe(true);
        },
      ),
      { numRuns: 5000 },
    );
  });
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isDiscoError(err) ? err.code : 'not a DiscoError';
  }
  return undefined;
}

/** Test-only reference: the glob as an anchored RegExp (fine on 10-character inputs). */
function reference(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\' && pattern[i + 1] === '*') {
      source += '\\*';
      i++;
    } else if (pattern[i] === '*') source += '[\\s\\S]*';
    else source += pattern[i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'u');
}
