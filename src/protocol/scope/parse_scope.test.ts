import { describe, expect, it } from 'vitest';
import { DiscoError } from '../errors/index.js';
import { formatScope, MAX_SCOPE_TOKEN_LENGTH, MAX_SCOPE_TOKENS, parseScope } from './index.js';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(DiscoError);
    return (err as DiscoError).code;
  }
  return 'no error';
}

describe('parseScope', () => {
  it("reads the seed's key_b+address form", () => {
    expect(parseScope('key_b+address')).toEqual(['address', 'key_b']);
  });

  it('reads the space-separated form of RFC 6749 §3.3', () => {
    expect(parseScope('phone key_b address')).toEqual(['address', 'key_b', 'phone']);
  });

  it('reads arrays, de-duplicates and sorts', () => {
    expect(parseScope(['phone', 'address', 'phone', 'a.b:c-d_1'])).toEqual([
      'a.b:c-d_1',
      'address',
      'phone',
    ]);
    expect(parseScope('key_b key_b')).toEqual(['key_b']);
  });

  it('accepts the longest token and the most tokens', () => {
    const long = 'a'.repeat(MAX_SCOPE_TOKEN_LENGTH);
    expect(parseScope(long)).toEqual([long]);
    const many = Array.from({ length: MAX_SCOPE_TOKENS }, (_, i) => `s${i}`);
    expect(parseScope(many.join(' '))).toHaveLength(MAX_SCOPE_TOKENS);
  });

  it.each([
    ['empty string', ''],
    ['leading space', ' address'],
    ['trailing plus', 'address+'],
    ['double space', 'key_b  address'],
    ['tab', 'key_b\taddress'],
    ['upper case', 'Address'],
    ['quote', 'a"b'],
    ['non-ASCII', 'adresse_é'],
    ['slash', 'read/write'],
    ['too long a token', 'a'.repeat(MAX_SCOPE_TOKEN_LENGTH + 1)],
    ['too many tokens', Array.from({ length: MAX_SCOPE_TOKENS + 1 }, (_, i) => `s${i}`).join(' ')],
    ['a huge string', 'a '.repeat(100_000)],
  ])('refuses %s with ERR_SCOPE_INVALID', (_name, input) => {
    expect(codeOf(() => parseScope(input))).toBe('ERR_SCOPE_INVALID');
  });

  it.each([
    ['an empty array', []],
    ['a token with a separator', ['key_b address']],
    ['an empty token', ['']],
    ['a non-string token', [42]],
    ['a number', 42],
    ['null', null],
  ])('refuses %s with ERR_SCOPE_INVALID', (_name, input) => {
    expect(codeOf(() => parseScope(input as never))).toBe('ERR_SCOPE_INVALID');
  });
});

describe('formatScope', () => {
  it('writes the normal form separated by single spaces', () => {
    expect(formatScope(['phone', 'address', 'phone'])).toBe('address phone');
    expect(formatScope('key_b+address')).toBe('address key_b');
  });

  it('round-trips through parseScope', () => {
    const list = ['address', 'key_b', 'phone'];
    expect(parseScope(formatScope(list))).toEqual(list);
  });

  it('refuses invalid tokens with ERR_SCOPE_INVALID', () => {
    expect(codeOf(() => formatScope(['ok', 'NOT OK']))).toBe('ERR_SCOPE_INVALID');
    expect(codeOf(() => formatScope([]))).toBe('ERR_SCOPE_INVALID');
  });
});
