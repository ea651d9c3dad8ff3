import type { CompactJWEHeaderParameters } from 'jose';
import { DiscoError } from '../../errors/index.js';
import { isJsonObject, splitCompact } from '../lib/compact.js';
import { hasPrivateMembers } from '../lib/jwk.js';
import type { EnvelopeAllowList } from './policy.js';

/** The protected header of an envelope, as jose types it. */
export type EnvelopeHeader = CompactJWEHeaderParameters;

function malformed(message: string): DiscoError {
  return new DiscoError('ERR_JWE_MALFORMED', message);
}

/**
 * Everything `open` can decide before touching a key (RFC 7516 §5.2 steps 1–4): size, the five
 * canonical base64url parts, the protected header, and the allow-list. Refuses `zip`
 * (RFC 7516 §4.1.3: compression oracles, decompression bombs) and any `crit` (RFC 7516 §4.1.13:
 * the Disco profile defines no extensions).
 */
export function parseEnvelope(
  jwe: unknown,
  allow: EnvelopeAllowList,
  maxBytes: number,
): { alg: string; enc: string; header: EnvelopeHeader } {
  const { parts, header } = splitCompact(jwe, 5, maxBytes, 'ERR_JWE_MALFORMED');
  if ('crit' in header) throw malformed('envelopes carry no critical header parameters');
  if ('zip' in header) {
    throw new DiscoError('ERR_JWE_ALG_NOT_ALLOWED', 'compressed envelopes are refused');
  }
  const { alg, enc } = header;
  if (typeof alg !== 'string' || typeof enc !== 'string') {
    throw malformed('protected header must carry "alg" and "enc" strings');
  }
  if (!allow.alg.includes(alg)) {
    throw new DiscoError('ERR_JWE_ALG_NOT_ALLOWED', `alg ${alg} is refused`);
  }
  if (!allow.enc.includes(enc)) {
    throw new DiscoError('ERR_JWE_ALG_NOT_ALLOWED', `enc ${enc} is refused`);
  }
  const [, encryptedKey, iv, , tag] = parts;
  // ECDH-ES direct key agreement has no encrypted key (RFC 7518 §4.6); every other alg has one.
  if ((encryptedKey === '') !== (alg === 'ECDH-ES')) throw malformed('encrypted key part is wrong');
  if (iv === '' || tag === '') throw malformed('initialization vector or tag is missing');
  return { alg, enc, header: header as EnvelopeHeader };
}

/**
 * Checks the ephemeral public key of an ECDH-ES envelope (RFC 7518 §4.6.1.1) against the curve of
 * the recipient's key. A key on another curve means the envelope was made for another key.
 */
export function checkEphemeralKey(epk: unknown, curve: string): void {
  if (
    !isJsonObject(epk) ||
    typeof epk.kty !== 'string' ||
    typeof epk.crv !== 'string' ||
    typeof epk.x !== 'string' ||
    hasPrivateMembers(epk)
  ) {
    throw malformed('"epk" must be a public JWK');
  }
  if (epk.kty !== (curve === 'X25519' ? 'OKP' : 'EC') || epk.crv !== curve) {
    throw new DiscoError('ERR_JWE_DECRYPTION_FAILED', 'envelope was not made for this key');
  }
}
