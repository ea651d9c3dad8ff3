import type { JWK } from 'jose';
import type { DeviceKeys } from './identity.js';

/** Imports the two private JWKs as non-extractable CryptoKeys. */
export async function importPrivateKeys(signing: JWK, envelope: JWK): Promise<DeviceKeys> {
  return {
    signing: await crypto.subtle.importKey(
      'jwk',
      signing as JsonWebKey,
      { name: 'Ed25519' },
      false,
      ['sign'],
    ),
    envelope: await crypto.subtle.importKey(
      'jwk',
      envelope as JsonWebKey,
      { name: 'X25519' },
      false,
      ['deriveBits'],
    ),
  };
}
