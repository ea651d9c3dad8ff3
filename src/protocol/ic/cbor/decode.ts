import { Decoder } from 'cbor-x';
import { DiscoError } from '../../errors/index.js';
import { checkCbor, DEFAULT_CBOR_LIMITS, type CborLimits } from './limits.js';

/** What `decodeCbor` returns: the IC's CBOR data model (interface spec §CBOR). */
export type CborValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | Uint8Array
  | CborValue[]
  | { [key: string]: CborValue };

const decoder = new Decoder({ useRecords: false, mapsAsObjects: true });

/**
 * Decodes one CBOR data item under `limits` (see `checkCbor` for what is refused); the
 * self-describe tag 55799 is dropped. Integers of up to 32 bits come back as numbers, larger ones
 * as bigints (read them with `natOf`). Byte strings are plain Uint8Arrays in every runtime.
 */
export function decodeCbor(bytes: Uint8Array, limits: CborLimits = DEFAULT_CBOR_LIMITS): CborValue {
  if (!(bytes instanceof Uint8Array)) throw new DiscoError('ERR_IC_CBOR_MALFORMED', 'not bytes');
  checkCbor(bytes, limits);
  let value: unknown;
  try {
    value = decoder.decode(bytes);
  } catch (cause) {
    throw new DiscoError('ERR_IC_CBOR_MALFORMED', 'CBOR: cbor-x refused the input', { cause });
  }
  return plain(value);
}

/** Node's cbor-x returns Buffers; tests and callers compare plain Uint8Arrays. */
function plain(value: unknown): CborValue {
  if (value instanceof Uint8Array) {
    return value.constructor === Uint8Array ? value : new Uint8Array(value);
  }
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, CborValue> = {};
    for (const [key, entry] of Object.entries(value)) out[key] = plain(entry);
    return out;
  }
  return value as CborValue;
}

/** A CBOR unsigned integer as a bigint (IC nats may need all 64 bits). */
export function natOf(value: CborValue | undefined): bigint | undefined {
  if (typeof value === 'bigint') return value >= 0n ? value : undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  return undefined;
}
