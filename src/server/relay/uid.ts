import { createHash } from 'node:crypto';
import type { Random } from '../../protocol/encoding/index.js';

/**
 * Pairing uids: 40 random bits written as 8 characters of Crockford's base32
 * (https://www.crockford.com/base32.html), shown as `XXXX-XXXX`. People type them, so reading
 * is lenient as Crockford specifies: any case, `I`/`L` read as `1`, `O` as `0`, and hyphens or
 * spaces anywhere are ignored. `U` is not in the alphabet.
 * See docs/wire/relay.md for why 40 bits are enough here.
 */
export const UID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const UID_BITS = 40;
export const UID_LENGTH = 8;

/** A fresh uid in canonical form (8 characters, no hyphen). */
export function newUid(random: Random): string {
  const bytes = random(5);
  if (bytes.length !== 5) throw new RangeError('random must return the bytes asked for');
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  let out = '';
  for (let i = UID_LENGTH - 1; i >= 0; i--)
    out += UID_ALPHABET[Number((value >> BigInt(5 * i)) & 31n)];
  return out;
}

/** How a person sees a canonical uid: `XXXX-XXXX`. */
export function displayUid(uid: string): string {
  return `${uid.slice(0, 4)}-${uid.slice(4)}`;
}

/** Reads a uid as typed; the canonical form, or null when it is not one. */
export function parseUid(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 32) return null;
  const cleaned = input
    .replace(/[\s-]/g, '')
    .toUpperCase()
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
  if (cleaned.length !== UID_LENGTH) return null;
  for (const c of cleaned) if (!UID_ALPHABET.includes(c)) return null;
  return cleaned;
}

/**
 * A short, stable tag for a uid in logs: uids are secrets while they live (whoever types one
 * pairs), so logs carry the first 12 characters of its SHA-256 instead.
 */
export function uidTag(uid: string): string {
  return createHash('sha256').update(uid).digest('base64url').slice(0, 12);
}
