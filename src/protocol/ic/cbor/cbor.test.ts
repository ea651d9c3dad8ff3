/**
 * RFC 8949 Appendix A examples, from cbor/test-vectors appendix_a.json (commit aba89b6, copied to
 * /work/shared/vectors/cbor; credited in docs/ic.md). The IC profile accepts integers up to 64 bits,
 * strings, arrays, text-keyed maps, false/true/null and tag 55799; everything else in the appendix
 * (floats, undefined, simple values, other tags, bignums, indefinite lengths, integer map keys)
 * must be refused with ERR_IC_CBOR_MALFORMED.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isDiscoError } from '../../errors/index.js';
import { decodeCbor, encodeCbor, type CborValue } from './index.js';

interface Vector {
  hex: string;
  roundtrip: boolean;
  decoded?: unknown;
  diagnostic?: string;
}
const vectors = JSON.parse(
  readFileSync('/work/shared/vectors/cbor/appendix_a.json', 'utf8'),
) as Vector[];

const fromHex = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));
const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

const byteString = (v: Vector) => /^h'([0-9a-f]*)'$/.exec(v.diagnostic ?? '')?.[1];

function refusedByProfile(v: Vector): boolean {
  if (v.decoded === undefined && byteString(v) === undefined) return true; // undefined, simple(n), tags 0/1/23/24/32, (_ ...)
  if (/^(f9|fa|fb)/.test(v.hex)) return true; // floats
  if (/^(c2|c3)/.test(v.hex)) return true; // bignum tags
  if (!v.roundtrip) return true; // indefinite lengths
  return v.hex === 'a201020304'; // integer map keys
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isDiscoError(err) ? err.code : 'not a DiscoError';
  }
  return undefined;
}

describe('CBOR, RFC 8949 Appendix A', () => {
  it('has the 82 vectors', () => expect(vectors).toHaveLength(82));

  for (const v of vectors) {
    if (refusedByProfile(v)) {
      it(`refuses ${v.hex}`, () => {
        expect(codeOf(() => decodeCbor(fromHex(v.hex)))).toBe('ERR_IC_CBOR_MALFORMED');
      });
      continue;
    }
    it(`decodes and re-encodes ${v.hex}`, () => {
      const value = decodeCbor(fromHex(v.hex));
      const bytes = byteString(v);
      if (bytes !== undefined) expect(value).toEqual(fromHex(bytes));
      else if (typeof v.decoded !== 'number' || Number.isSafeInteger(v.decoded)) {
        const normal = (x: CborValue): unknown => (typeof x === 'bigint' ? Number(x) : x);
        expect(normal(value)).toEqual(v.decoded);
      }
      if (v.hex === '3bffffffffffffffff') {
        // -2^64 decodes, but the encoder stops at -2^63 (cbor-x would write a bignum tag).
        expect(codeOf(() => encodeCbor(value as never))).toBe('ERR_IC_CBOR_LIMIT');
      } else {
        expect(toHex(encodeCbor(value as never))).toBe(`d9d9f7${v.hex}`);
      }
    });
  }

  it('reads 64-bit integers as exact bigints', () => {
    expect(decodeCbor(fromHex('1bffffffffffffffff'))).toBe(18446744073709551615n);
    expect(decodeCbor(fromHex('3bffffffffffffffff'))).toBe(-18446744073709551616n);
  });
});

describe('CBOR limits and the IC profile', () => {
  it('drops the self-describe tag and reads maps', () => {
    expect(decodeCbor(fromHex('d9d9f7a1616101'))).toEqual({ a: 1 });
  });
  it('refuses trailing bytes, truncation, duplicate keys and __proto__', () => {
    for (const hex of ['0000', '1a0001', '4401', 'a2616101616102', 'a1695f5f70726f746f5f5f01']) {
      expect(codeOf(() => decodeCbor(fromHex(hex)))).toBe('ERR_IC_CBOR_MALFORMED');
    }
  });
  it('refuses invalid UTF-8 and lengths past the input', () => {
    expect(codeOf(() => decodeCbor(fromHex('62c328')))).toBe('ERR_IC_CBOR_MALFORMED');
    expect(codeOf(() => decodeCbor(fromHex('5bffffffffffffffff00')))).toBe('ERR_IC_CBOR_MALFORMED');
    expect(codeOf(() => decodeCbor(fromHex('9bffffffffffffffff00')))).toBe('ERR_IC_CBOR_MALFORMED');
  });
  it('limits depth, size and item count', () => {
    const deep = new Uint8Array(200).fill(0x81);
    expect(codeOf(() => decodeCbor(new Uint8Array([...deep, 0])))).toBe('ERR_IC_CBOR_LIMIT');
    const wide = fromHex('83010203');
    expect(codeOf(() => decodeCbor(wide, { maxBytes: 3, maxDepth: 8, maxItems: 10 }))).toBe(
      'ERR_IC_CBOR_LIMIT',
    );
    expect(codeOf(() => decodeCbor(wide, { maxBytes: 8, maxDepth: 8, maxItems: 3 }))).toBe(
      'ERR_IC_CBOR_LIMIT',
    );
    // A 100 000-deep array would blow the stack of a recursive decoder; it is refused up front.
    const huge = new Uint8Array(100_001).fill(0x81);
    expect(codeOf(() => decodeCbor(huge))).toBe('ERR_IC_CBOR_LIMIT');
  });
  it('encodes nats as integers, omits undefined fields and refuses floats', () => {
    expect(toHex(encodeCbor({ a: 1685570400000000000n, b: undefined }))).toBe(
      'd9d9f7a161611b1764595927e9c000',
    );
    expect(toHex(encodeCbor(2 ** 40))).toBe('d9d9f71b0000010000000000');
    expect(codeOf(() => encodeCbor(1.5))).toBe('ERR_IC_CBOR_MALFORMED');
    expect(codeOf(() => encodeCbor([undefined as never]))).toBe('ERR_IC_CBOR_MALFORMED');
    expect(codeOf(() => encodeCbor(2n ** 64n))).toBe('ERR_IC_CBOR_LIMIT');
  });
});
