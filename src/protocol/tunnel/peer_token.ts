import {
  calculateJwkThumbprint,
  compactVerify,
  decodeProtectedHeader,
  importJWK,
  CompactSign,
  type JWK,
} from 'jose';
import { DiscoError } from '../errors/index.js';
import { isCanonicalBase64url, utf8 } from '../encoding/index.js';
import { peerIdOf } from './peer_id.js';

export const PEER_TOKEN_TYP = 'disco-peer+jwt';
/** A token is accepted this long after it was made (the device makes a new one per connection). */
export const PEER_TOKEN_MAX_AGE_SECONDS = 600;

/**
 * The PeerJS `token` with which a device claims its peer id at the relay: a JWS signed by the
 * device identity key, carrying the public key (`jwk` header) and `{ sub: peer id, iat }`. The
 * relay accepts a connection only if the key's thumbprint derives that peer id, so nobody but
 * the device can take over its id (PeerJS alone hands the id to whoever presents the same token).
 */
export async function makePeerToken(
  signing: CryptoKey,
  signingJwk: JWK,
  deviceId: string,
  nowMs: number,
): Promise<string> {
  const { kty, crv, x } = signingJwk;
  const payload = { sub: peerIdOf(deviceId), iat: Math.floor(nowMs / 1000) };
  return new CompactSign(utf8.encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'EdDSA', typ: PEER_TOKEN_TYP, jwk: { kty, crv, x } as JWK })
    .sign(signing);
}

/** Checks a peer token for `peerId` at time `nowMs`; ERR_REQUEST_SIGNATURE / ERR_REQUEST_EXPIRED otherwise. */
export async function verifyPeerToken(token: string, peerId: string, nowMs: number): Promise<void> {
  let header;
  try {
    if (token.length > 2048) throw new Error('too long');
    header = decodeProtectedHeader(token);
  } catch {
    throw new DiscoError('ERR_REQUEST_SIGNATURE', 'Not a peer token.');
  }
  const jwk = header.jwk;
  if (
    header.alg !== 'EdDSA' ||
    header.typ !== PEER_TOKEN_TYP ||
    !jwk ||
    jwk.kty !== 'OKP' ||
    jwk.crv !== 'Ed25519' ||
    typeof jwk.x !== 'string' ||
    !isCanonicalBase64url(jwk.x) ||
    jwk.x.length !== 43 // an Ed25519 key is 32 bytes (RFC 8037 §2)
  ) {
    throw new DiscoError('ERR_REQUEST_SIGNATURE', 'Not a peer token.');
  }
  const publicJwk = { kty: 'OKP', crv: 'Ed25519', x: jwk.x } as JWK;
  if (peerIdOf(await calculateJwkThumbprint(publicJwk)) !== peerId) {
    throw new DiscoError('ERR_REQUEST_SIGNATURE', 'This key does not own that peer id.');
  }
  let claims: { sub?: unknown; iat?: unknown };
  try {
    const { payload } = await compactVerify(token, await importJWK(publicJwk, 'EdDSA'), {
      algorithms: ['EdDSA'],
    });
    claims = JSON.parse(utf8.decode(payload)) as typeof claims;
  } catch {
    throw new DiscoError('ERR_REQUEST_SIGNATURE', 'The peer token signature does not verify.');
  }
  const now = Math.floor(nowMs / 1000);
  if (claims.sub !== peerId || typeof claims.iat !== 'number')
    throw new DiscoError('ERR_REQUEST_SIGNATURE', 'The peer token is for another id.');
  if (claims.iat > now + 60 || now - claims.iat > PEER_TOKEN_MAX_AGE_SECONDS)
    throw new DiscoError('ERR_REQUEST_EXPIRED', 'The peer token is stale.');
}
