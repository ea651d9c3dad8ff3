import type { JWK } from 'jose';
import type { KdfParams } from './passphrase_key.js';

/** Where the identity lives in the Store. */
export const IDENTITY = { collection: 'identity', key: 'device' } as const;
/** Non-extractable private keys; never backed up, never leave the device. */
export const KEYS = { collection: 'keys', key: 'device' } as const;

/**
 * The device identity record: public keys, the id, and both private keys wrapped under the
 * person's passphrase (PBKDF2 → AES-256-GCM). Plain JSON: it is part of every backup.
 */
export interface IdentityRecord {
  version: 1;
  deviceId: string;
  createdAt: number;
  /** Ed25519 public key: signs tokens and certificates (alg EdDSA). */
  signingJwk: JWK;
  /** X25519 public key: receives envelopes (JWE ECDH-ES+A256KW). */
  envelopeJwk: JWK;
  wrapped: WrappedKeys;
}

export interface WrappedKeys {
  kdf: KdfParams;
  /** base64url 12-byte AES-GCM nonce */
  iv: string;
  /** base64url AES-GCM ciphertext of the JSON `{ signing: JWK, envelope: JWK }` private keys */
  ciphertext: string;
}

export interface DeviceKeys {
  signing: CryptoKey;
  envelope: CryptoKey;
}

/** The AAD that binds wrapped keys to their device id, so blobs cannot be swapped. */
export function wrapAad(deviceId: string): string {
  return `disco-identity-v1:${deviceId}`;
}
