import { calculateJwkThumbprint } from 'jose';
import { DiscoError, isDiscoError } from '../protocol/errors/index.js';
import { sleep } from './sleep.js';
import type { DeviceInfo } from './messages.js';
import type { Transport } from './transport.js';

/**
 * Reads the device's metadata and returns what a client pins: the id, the signing key (whose
 * thumbprint must be the id) and the envelope key. `expectedDeviceId`, when known out of band
 * (pairing, QR code), must match.
 *
 * With `retryForMs`, a device that cannot be reached (a phone switching apps or networks, a page
 * reloading: its relay connection blinks) is asked again, pausing 0.5 s, 1, 2, 4…, until that
 * much time has passed; then its ERR_DEVICE_UNREACHABLE is the caller's. Any other error at once.
 */
export async function fetchDeviceInfo(
  transport: Transport,
  expectedDeviceId?: string,
  opts: { retryForMs?: number; signal?: AbortSignal } = {},
): Promise<DeviceInfo> {
  const until = Date.now() + (opts.retryForMs ?? 0);
  for (let misses = 0; ; misses++) {
    try {
      return await readDeviceInfo(transport, expectedDeviceId);
    } catch (err) {
      if (!isDiscoError(err, 'ERR_DEVICE_UNREACHABLE') || opts.signal?.aborted) throw err;
      const pause = Math.min(500 * 2 ** misses, 4000);
      if (Date.now() + pause > until) throw err;
      await sleep(pause, opts.signal);
    }
  }
}

async function readDeviceInfo(
  transport: Transport,
  expectedDeviceId: string | undefined,
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
