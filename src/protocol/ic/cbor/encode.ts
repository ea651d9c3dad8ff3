import { Encoder } from 'cbor-x';
import { DiscoError } from '../../errors/index.js';
import { SELF_DESCRIBE_TAG } from './limits.js';

/** What `encodeCbor` accepts. Fields whose value is `undefined` are omitted (optional fields). */
export type CborInput =
  | number
  | bigint
  | string
  | boolean
  | null
  | Uint8Array
  | { toUint8Array(): Uint8Array }
  | readonly CborInput[]
  | { readonly [key: string]: CborInput | undefined };

// useRecords/tagUint8Array off: cbor-x would otherwise write its own record and typed-array tags.
const encoder = new Encoder({
  useRecords: false,
  tagUint8Array: false,
  mapsAsObjects: true,
  variableMapSize: true,
});

const SELF_DESCRIBE = new Uint8Array([0xd9, SELF_DESCRIBE_TAG >> 8, SELF_DESCRIBE_TAG & 0xff]);

/**
 * Encodes `value` with the self-describe tag 55799 in front (interface spec §CBOR). Nats are
 * bigints (numbers must be safe integers; cbor-x would write numbers ≥ 2^32 as floats), principals
 * are written as their bytes, and `undefined` is never written.
 */
export function encodeCbor(value: CborInput): Uint8Array {
  const body = encoder.encode(normalize(value, 0)) as Uint8Array;
  const out = new Uint8Array(SELF_DESCRIBE.length + body.length);
  out.set(SELF_DESCRIBE);
  out.set(body, SELF_DESCRIBE.length);
  return out;
}

function normalize(value: CborInput | undefined, depth: number): unknown {
  if (depth > 64) throw new DiscoError('ERR_IC_CBOR_LIMIT', 'CBOR: value nested too deep');
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isSafeInteger(value)) {
        throw new DiscoError('ERR_IC_CBOR_MALFORMED', 'CBOR: only safe integers, no floats');
      }
      return Math.abs(value) <= 0xffffffff ? value : BigInt(value);
    case 'bigint':
      // cbor-x writes integers below -2^63 as bignum tags, which the IC profile does not have.
      if (value < -(2n ** 63n) || value >= 2n ** 64n) {
        throw new DiscoError('ERR_IC_CBOR_LIMIT', 'CBOR: integer outside [-2^63, 2^64)');
      }
      // Small bigints as numbers so cbor-x writes the shortest head, as RFC 8949 §4.2.1 prefers.
      return value >= -0xffffffffn && value <= 0xffffffffn ? Number(value) : value;
    case 'object':
      if (value === null) return null;
      if (value instanceof Uint8Array) return value;
      if (Array.isArray(value)) {
        return value.map((entry: CborInput | undefined) => {
          if (entry === undefined) throw new DiscoError('ERR_IC_CBOR_MALFORMED', 'CBOR: undefined');
          return normalize(entry, depth + 1);
        });
      }
      if ('toUint8Array' in value && typeof value.toUint8Array === 'function') {
        return value.toUint8Array();
      }
      return Object.fromEntries(
        Object.entries(value as Record<string, CborInput | undefined>)
          .filter(([, entry]) => entry !== undefined)
          .map(([key, entry]) => [key, normalize(entry, depth + 1)]),
      );
    default:
      throw new DiscoError('ERR_IC_CBOR_MALFORMED', `CBOR: cannot encode ${typeof value}`);
  }
}
