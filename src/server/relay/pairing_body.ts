import { calculateJwkThumbprint, type JWK } from 'jose';
import { DiscoError } from '../../protocol/errors/index.js';
import { peerIdOf, PEER_ID_PATTERN } from '../../protocol/tunnel/index.js';
import { isPresentationShape } from '../../protocol/nodetrust/device_certificate.js';
import type { PairedDevice } from './pairing_store.js';
import { displayUid, parseUid } from './uid.js';

const B64U_32_BYTES = /^[A-Za-z0-9_-]{43}$/;

function invalid(message: string): DiscoError {
  return new DiscoError('ERR_INVALID_INPUT', message);
}

/** The device's Ed25519 public JWK (RFC 8037 §2), reduced to its public members. */
function publicKeyOf(value: unknown): JWK {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid('public_key must be a JWK object');
  const jwk = value as Record<string, unknown>;
  if ('d' in jwk) throw invalid('public_key must not contain a private key');
  if (
    jwk.kty !== 'OKP' ||
    jwk.crv !== 'Ed25519' ||
    typeof jwk.x !== 'string' ||
    !B64U_32_BYTES.test(jwk.x)
  )
    throw invalid('public_key must be an Ed25519 public JWK');
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
}

/**
 * Checks the device's `POST /uid` body before anything is spent: a uid as a person types it;
 * `device_id` the RFC 7638 thumbprint of `public_key`; `peer_id` derived from `device_id`
 * (so no device can claim another's tunnel); `proxy_url` this relay's `/p/<peer_id>/`.
 * ERR_INVALID_INPUT otherwise. The relay is not trusted, so none of this is a security
 * guarantee to the RP (it pins the key and checks the device itself); it catches mistakes early.
 */
export async function readPairingBody(
  body: unknown,
  publicUrl: string,
): Promise<{ uid: string; device: PairedDevice }> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('the body must be a JSON object');
  const fields = body as Record<string, unknown>;
  const uid = parseUid(fields.uid);
  if (uid === null) throw invalid('uid must be 8 characters like ABCD-EFGH');
  const deviceId = fields.device_id;
  if (typeof deviceId !== 'string' || !B64U_32_BYTES.test(deviceId))
    throw invalid('device_id must be a SHA-256 JWK thumbprint');
  const publicKey = publicKeyOf(fields.public_key);
  if ((await calculateJwkThumbprint(publicKey, 'sha256')) !== deviceId)
    throw invalid('device_id is not the thumbprint of public_key');
  const peerId = fields.peer_id;
  if (typeof peerId !== 'string' || !PEER_ID_PATTERN.test(peerId) || peerId !== peerIdOf(deviceId))
    throw invalid('peer_id must be the peer id of device_id');
  const proxyUrl = `${publicUrl}/p/${peerId}/`;
  if (fields.proxy_url !== proxyUrl) throw invalid(`proxy_url must be ${proxyUrl}`);
  const chain = fields.certificate_chain;
  const signature = fields.certificate_signature;
  const certified = chain !== undefined || signature !== undefined;
  if (certified && !isPresentationShape(chain, signature))
    throw invalid(
      'certificate_chain (1 to 4 base64 certificates) and certificate_signature (base64url, 64 bytes) go together',
    );
  return {
    uid,
    device: {
      uid: displayUid(uid),
      device_id: deviceId,
      peer_id: peerId,
      public_key: publicKey,
      proxy_url: proxyUrl,
      ...(certified
        ? { certificate_chain: chain as string[], certificate_signature: signature as string }
        : {}),
    },
  };
}
