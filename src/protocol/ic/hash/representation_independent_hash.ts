import { sha256 } from '@noble/hashes/sha2.js';
import { DiscoError } from '../../errors/index.js';

/**
 * A value the representation-independent hash takes: blobs (and principals, hashed as their
 * bytes), text, nats and ints, arrays, and maps whose `undefined` fields count as omitted.
 */
export type HashableValue =
  | string
  | number
  | bigint
  | Uint8Array
  | { toUint8Array(): Uint8Array }
  | readonly HashableValue[]
  | { readonly [key: string]: HashableValue | undefined };

const utf8 = new TextEncoder();

/** Shortest unsigned LEB128 (interface spec §Representation-independent hashing: nats). */
export function lebEncode(value: bigint): Uint8Array {
  if (value < 0n) throw new DiscoError('ERR_INVALID_INPUT', 'LEB128: negative nat');
  const out: number[] = [];
  do {
    const byte = Number(value & 0x7fn);
    value >>= 7n;
    out.push(value === 0n ? byte : byte | 0x80);
  } while (value !== 0n);
  return new Uint8Array(out);
}

/** Shortest signed LEB128 (same section: ints). */
export function slebEncode(value: bigint): Uint8Array {
  const out: number[] = [];
  for (;;) {
    const byte = Number(value & 0x7fn);
    value >>= 7n;
    const done = (value === 0n && (byte & 0x40) === 0) || (value === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return new Uint8Array(out);
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}

/**
 * H(value) for one field value (interface spec §Representation-independent hashing of structured
 * data). JavaScript cannot tell a nat from an int: non-negative numbers are hashed as nats
 * (unsigned LEB128), negative ones as ints (signed LEB128).
 */
export function hashValue(value: HashableValue, depth = 0): Uint8Array {
  if (depth > 32) throw new DiscoError('ERR_INVALID_INPUT', 'hash: value nested too deep');
  if (typeof value === 'string') return sha256(utf8.encode(value));
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw new DiscoError('ERR_INVALID_INPUT', 'hash: not an integer');
    return hashValue(BigInt(value), depth);
  }
  if (typeof value === 'bigint') return sha256(value >= 0n ? lebEncode(value) : slebEncode(value));
  if (value instanceof Uint8Array) return sha256(value);
  if (Array.isArray(value)) {
    return sha256(concat(value.map((entry: HashableValue) => hashValue(entry, depth + 1))));
  }
  if (typeof value === 'object' && value !== null) {
    if ('toUint8Array' in value && typeof value.toUint8Array === 'function') {
      return sha256(value.toUint8Array());
    }
    return hashOfMap(value as { readonly [key: string]: HashableValue | undefined }, depth + 1);
  }
  throw new DiscoError('ERR_INVALID_INPUT', `hash: cannot hash ${typeof value}`);
}

/** hash_of_map: sort H(key)·H(value) over the present fields, concatenate, hash. */
export function hashOfMap(
  map: { readonly [key: string]: HashableValue | undefined },
  depth = 0,
): Uint8Array {
  const pairs = Object.entries(map)
    .filter((entry): entry is [string, HashableValue] => entry[1] !== undefined)
    .map(([key, value]) => concat([sha256(utf8.encode(key)), hashValue(value, depth)]));
  pairs.sort(compareBytes);
  return sha256(concat(pairs));
}
