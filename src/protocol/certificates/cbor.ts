import { Decoder, Encoder } from 'cbor-x';
import { DiscoError } from '../errors/index.js';
import { checkCbor } from '../ic/cbor/limits.js';

/** The data model of capability documents: DAG-CBOR's, without floats, tags, null or bignums. */
export type CapValue =
  | number
  | string
  | boolean
  | Uint8Array
  | readonly CapValue[]
  | { readonly [key: string]: CapValue | undefined };

const encoder = new Encoder({
  useRecords: false,
  tagUint8Array: false,
  mapsAsObjects: true,
  variableMapSize: true,
});
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true });

/**
 * The one canonical encoding (DAG-CBOR, RFC 8949 §4.2.1 core deterministic for this data model):
 * shortest heads (cbor-x writes them), map keys sorted by length then bytewise (DAG-CBOR's order;
 * for text keys it equals RFC 7049 §3.9 canonical order), `undefined` fields omitted, integers
 * only and within ±(2^53−1) (cbor-x would write bigger numbers as floats).
 */
export function encodeCanonical(value: CapValue): Uint8Array {
  const out = encoder.encode(normalize(value, 0)) as Uint8Array;
  return out.constructor === Uint8Array ? out : new Uint8Array(out);
}

function normalize(value: CapValue, depth: number): unknown {
  if (depth > 16) throw new DiscoError('ERR_CAP_MALFORMED', 'capability: nested too deep');
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new DiscoError('ERR_CAP_MALFORMED', 'capability: numbers are safe integers');
    }
    return Math.abs(value) <= 0xffffffff ? value : BigInt(value);
  }
  if (typeof value !== 'object' || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map((v: CapValue) => normalize(v, depth + 1));
  const entries = Object.entries(value as Record<string, CapValue | undefined>).filter(
    (entry): entry is [string, CapValue] => entry[1] !== undefined,
  );
  entries.sort(([a], [b]) => compareKeys(a, b));
  return Object.fromEntries(entries.map(([k, v]) => [k, normalize(v, depth + 1)]));
}

const ASCII = /^[\x20-\x7e]*$/;

/** DAG-CBOR map key order: shorter encoded key first, then bytewise. */
function compareKeys(a: string, b: string): number {
  // Nearly every key is printable ASCII: one byte per code unit, and code-unit order is byte order.
  if (ASCII.test(a) && ASCII.test(b)) {
    if (a.length !== b.length) return a.length - b.length;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  if (ea.length !== eb.length) return ea.length - eb.length;
  for (let i = 0; i < ea.length; i++) if (ea[i] !== eb[i]) return ea[i]! - eb[i]!;
  return 0;
}

/**
 * Decodes one canonical item of at most `maxBytes`. A structural pre-walk (shared with the IC
 * agent) refuses indefinite lengths, floats, tags, duplicate or non-text keys, bad UTF-8 and
 * trailing bytes before cbor-x runs; then the value is re-encoded and must give back the very same
 * bytes, so one document has exactly one encoding and its id (a hash of the bytes) is unique.
 */
export function decodeCanonical(bytes: Uint8Array, maxBytes: number): CapValue {
  if (!(bytes instanceof Uint8Array)) throw new DiscoError('ERR_CAP_MALFORMED', 'not bytes');
  if (bytes.length > maxBytes) {
    throw new DiscoError('ERR_CAP_TOO_LARGE', `capability: more than ${maxBytes} bytes`);
  }
  try {
    checkCbor(bytes, { maxBytes, maxDepth: 8, maxItems: 4096 });
  } catch (cause) {
    throw new DiscoError('ERR_CAP_MALFORMED', 'capability: not well-formed CBOR', { cause });
  }
  let value: unknown;
  try {
    value = plain(decoder.decode(bytes));
  } catch (cause) {
    throw new DiscoError('ERR_CAP_MALFORMED', 'capability: CBOR refused', { cause });
  }
  let again: Uint8Array;
  try {
    again = encodeCanonical(value as CapValue);
  } catch (cause) {
    throw new DiscoError('ERR_CAP_NON_CANONICAL', 'capability: outside the data model', { cause });
  }
  if (!sameBytes(again, bytes)) {
    throw new DiscoError('ERR_CAP_NON_CANONICAL', 'capability: not the canonical encoding');
  }
  return value as CapValue;
}

/** Node's cbor-x returns Buffers and bigints; the data model has plain bytes and numbers. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    return value.constructor === Uint8Array ? value : new Uint8Array(value);
  }
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new DiscoError('ERR_CAP_MALFORMED', 'capability: integer beyond 2^53');
    }
    return Number(value);
  }
  if (value === null || value === undefined) {
    throw new DiscoError('ERR_CAP_MALFORMED', 'capability: null is not used');
  }
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) out[key] = plain(entry);
    return out;
  }
  return value;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
