import { calculateJwkThumbprint, type JWK } from 'jose';
import { b64u } from '../encoding/index.js';
import { DiscoError } from '../errors/index.js';

/**
 * The device id is the RFC 7638 JWK thumbprint (SHA-256, base64url) of the identity public key.
 * It is the `iss` of every token the device signs.
 */
export function deviceIdOf(identityPublicJwk: JWK): Promise<string> {
  return calculateJwkThumbprint(identityPublicJwk, 'sha256');
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The form a person compares: the first 160 bits of the device id in base32 (RFC 4648 §6),
 * as eight groups of four, e.g. `K7QF-2M4D-…`. Unambiguous letters, readable over the phone.
 * `deviceId` (or a certificate thumbprint) is 32 bytes in base64url; anything else is
 * ERR_INVALID_INPUT, so a shortened id can never show a shortened fingerprint.
 */
export function fingerprintOf(deviceId: string): string {
  const raw = sha256Id(deviceId).slice(0, 20);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of raw) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join('-');
}

/** The 32 bytes of a SHA-256 id in base64url (43 characters); ERR_INVALID_INPUT otherwise. */
export function sha256Id(id: string): Uint8Array {
  if (typeof id !== 'string' || id.length !== 43)
    throw new DiscoError('ERR_INVALID_INPUT', 'A device id is a 43-character SHA-256 thumbprint.');
  return b64u.decode(id);
}
