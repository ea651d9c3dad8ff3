import { describe, expect, it } from 'vitest';
import { DiscoError } from '../../errors/index.js';
import { isCanonicalBase64url, splitCompact } from './compact.js';

describe('isCanonicalBase64url', () => {
  it.each(['', 'AA', 'AAA', 'AAAA', 'Zm9v', 'Zm8', 'Zg', '-_-_'])('accepts %j', (part) => {
    expect(isCanonicalBase64url(part)).toBe(true);
  });

  it.each([
    ['padding', 'Zg=='],
    ['a space', 'Zm 9v'],
    ['a newline', 'Zm9v\n'],
    ['the standard alphabet', 'a+/a'],
    ['an impossible length', 'Zm9vY'],
    ['non-zero pad bits (2 chars)', 'Zh'],
    ['non-zero pad bits (3 chars)', 'Zm9'],
    ['non-ASCII', 'Zm9é'],
  ])('refuses %s', (_name, part) => {
    expect(isCanonicalBase64url(part)).toBe(false);
  });
});

describe('splitCompact', () => {
  it('returns the parts and the decoded header', () => {
    const { parts, header } = splitCompact(
      'eyJhbGciOiJFZERTQSJ9.e30.AAAA',
      3,
      100,
      'ERR_JWT_MALFORMED',
    );
    expect(parts).toEqual(['eyJhbGciOiJFZERTQSJ9', 'e30', 'AAAA']);
    expect(header).toEqual({ alg: 'EdDSA' });
  });

  it('checks the size before anything else', () => {
    expect(() => splitCompact('x'.repeat(101), 3, 100, 'ERR_JWT_MALFORMED')).toThrow(
      expect.objectContaining({ code: 'ERR_TOO_LARGE' }) as DiscoError,
    );
  });

  it.each([
    ['wrong part count', 'e30.e30'],
    ['an empty header', '.e30.AAAA'],
    ['a header that is not an object', 'WzFd.e30.AAAA'],
    ['a header that is not JSON', 'bm9wZQ.e30.AAAA'],
    ['a non-string', 42],
  ])('refuses %s with the given code', (_name, input) => {
    expect(() => splitCompact(input, 3, 100, 'ERR_JWT_MALFORMED')).toThrow(
      expect.objectContaining({ code: 'ERR_JWT_MALFORMED' }) as DiscoError,
    );
  });

  it('parses a "__proto__" member as data, not as a prototype', () => {
    const { header } = splitCompact(
      'eyJfX3Byb3RvX18iOnsiYSI6MX19.e30.AAAA',
      3,
      100,
      'ERR_JWT_MALFORMED',
    );
    expect(Object.getPrototypeOf(header)).toBe(Object.prototype);
    expect(Object.hasOwn(header, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });
});
