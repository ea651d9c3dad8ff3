import { b64u } from '../../encoding/index.js';
import { DiscoError } from '../../errors/index.js';
import { loadDevice } from '../../identity/setup_device.js';
import type { Store } from '../../storage/index.js';
import { ed25519Signer } from '../envelope.js';
import type { DeviceSigner } from './deps.js';

/**
 * The device identity key as a capability signer (docs/wire/certificates.md "Encoding": keys are raw
 * Ed25519 public keys, the device's is its identity key). The private half stays a
 * non-extractable CryptoKey in the store.
 */
export async function deviceSigner(store: Store): Promise<DeviceSigner> {
  const device = await loadDevice(store);
  const x = device?.identity.signingJwk.x;
  if (!device || typeof x !== 'string') {
    throw new DiscoError('ERR_IDENTITY_MISSING', 'This device has not been set up yet.');
  }
  return { issuer: b64u.decode(x), sign: ed25519Signer(device.keys.signing) };
}
