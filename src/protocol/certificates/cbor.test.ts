import { describe, expect, it } from 'vitest';
import { isDiscoError } from '../errors/index.js';
import { decodeCanonical, encodeCanonical } from './cbor.js';

const hex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isDiscoError(err) ? err.code : 'not a DiscoError';
  }
  return undefined;
}

describe('canonical CBOR (DAG-CBOR rules, RFC 8949 §4.2.1)', () => {
  it('sorts map keys by length, then bytewise, and writes shortest heads', () => {
    // {"b": 1, "aa": 2, "a": 500} → a, b, aa
    expect(toHex(encodeCanonical({ b: 1, aa: 2, a: 500 }))).toBe('a361611901f4616201626161' + '02');
    expect(toHex(encodeCanonical(2 ** 40))).toBe('1b0000010000000000');
    expect(toHex(encodeCanonical(new Uint8Array([1, 2])))).toBe('420102');
    // cbor-x sizes string heads from the UTF-8 length, not a worst case: 100 × "é" is 200 bytes.
    expect(toHex(encodeCanonical('é'.repeat(100)).subarray(0, 2))).toBe('78c8');
    expect(toHex(encodeCanonical('a'.repeat(256)).subarray(0, 3))).toBe('790100');
    expect(toHex(encodeCanonical(-300))).toBe('39012b');
  });

  it('round-trips and omits undefined fields', () => {
    const value = { x: [1, 'two', new Uint8Array([3])], y: undefined, z: true };
    const bytes = encodeCanonical(value);
    expect(decodeCanonical(bytes, 100)).toEqual({ x: [1, 'two', new Uint8Array([3])], z: true });
  });

  it('refuses every other encoding of the same value', () => {
    const cases: [string, string][] = [
      ['a2616201616101', 'ERR_CAP_NON_CANONICAL'], // {"b":1,"a":1}: keys out of order
      ['1801', 'ERR_CAP_NON_CANONICAL'], // 1 written in two bytes
      ['5a00000001ff', 'ERR_CAP_NON_CANONICAL'], // a byte string with a long head
      ['d9d9f701', 'ERR_CAP_NON_CANONICAL'], // the self-describe tag
      ['9f01ff', 'ERR_CAP_MALFORMED'], // indefinite length
      ['f93c00', 'ERR_CAP_MALFORMED'], // a float
      ['f6', 'ERR_CAP_MALFORMED'], // null
      ['c100', 'ERR_CAP_MALFORMED'], // a tag
      ['a2616101616102', 'ERR_CAP_MALFORMED'], // duplicate keys
      ['0101', 'ERR_CAP_MALFORMED'], // trailing bytes
      ['1bffffffffffffffff', 'ERR_CAP_MALFORMED'], // beyond 2^53
    ];
    for (const [h, code] of cases)
      expect([h, codeOf(() => decodeCanonical(hex(h), 100))]).toEqual([h, code]);
  });

  it('refuses oversized input before decoding', () => {
    expect(codeOf(() => decodeCanonical(new Uint8Array(101), 100))).toBe('ERR_CAP_TOO_LARGE');
    expect(codeOf(() => decodeCanonical('a1' as never, 100))).toBe('ERR_CAP_MALFORMED');
  });
});
