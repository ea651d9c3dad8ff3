import { calculateJwkThumbprint } from 'jose';
import { DiscoError } from '../protocol/errors/index.js';
import type { DeviceInfo } from './messages.js';
import type { Transport } from './transport.js';

/**
 * Reads the device's metadata and returns what a client pins: the id, the signing key (whose
 * thumbprint must be the id) and the envelope key. `expectedDeviceId`, when known out of band
 * (pairing, QR code), must match.
 */
export async function fetchDeviceInfo(
  transport: Transport,
  expectedDeviceId?: string,
): Promise<DeviceInfo> {
  const res = await transport.get('/disco/.well-known/disco-configuration');
  if (res.status !== 200)
    throw new DiscoError('ERR_DEVICE_UNREACHABLE', `The device answered HTTP ${res.status}.`);
  let cfg: { device_id?: unknown; jwks?: { keys?: unknown } };
  try {
    cfg = JSON.parse(res.body) as typeof cfg;
  } catch {
    throw new DiscoError('ERR_RESPONSE_UNTRUSTED', 'The device metadata is not JSON.');
  }
  const keys = (Array.isArray(cfg.jwks?.keys) ? cfg.jwks.keys : []) as Array<
    Record<string, string>
  >;
  const sig = keys.find((k) => k.use === 'sig' && k.crv === 'Ed25519' && typeof k.x === 'string');
  const enc = keys.find((k) => k.use === 'enc' && k.crv === 'X25519' && typeof k.x === 'string');
  if (!sig || !enc)
    throw new DiscoError('ERR_RESPONSE_UNTRUSTED', 'The device metadata lacks its keys.');
  const signingJwk = { kty: 'OKP', crv: 'Ed25519', x: sig.x! };
  const envelopeJwk = { kty: 'OKP', crv: 'X25519', x: enc.x! };
  const id = await calculateJwkThumbprint(signingJwk);
  if (id !== cfg.device_id || (expectedDeviceId !== undefined && id !== expectedDeviceId)) {
    throw new DiscoError(
      'ERR_RESPONSE_UNTRUSTED',
      'The device key does not match the expected device.',
    );
  }
  return { deviceId: id, signingJwk, envelopeJwk };
}
