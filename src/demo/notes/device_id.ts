import { b64u } from '../../protocol/encoding/index.js';
import { deviceIdOf, fingerprintOf } from '../../protocol/identity/index.js';

/** The device id (RFC 7638 thumbprint, docs/device-identity.md) of a raw Ed25519 key. */
export function deviceIdOfKey(key: Uint8Array): Promise<string> {
  return deviceIdOf({ kty: 'OKP', crv: 'Ed25519', x: b64u.encode(key) });
}

/** The fingerprint people compare, of a raw Ed25519 key. */
export async function fingerprintOfKey(key: Uint8Array): Promise<string> {
  return fingerprintOf(await deviceIdOfKey(key));
}
