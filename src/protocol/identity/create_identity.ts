import type { JWK } from 'jose';
import { b64u, bytes, utf8, type Clock, type Random } from '../encoding/index.js';
import { deviceIdOf } from './device_id.js';
import { type DeviceKeys, type IdentityRecord, wrapAad } from './identity.js';
import { checkPassphrase, derivePassphraseKey, PBKDF2_ITERATIONS } from './passphrase_key.js';
import { importPrivateKeys } from './import_private_keys.js';

export interface CreateIdentityOptions {
  passphrase: string;
  clock: Clock;
  random: Random;
  /** Only tests lower this; files below PBKDF2_MIN_ITERATIONS are refused on restore. */
  iterations?: number;
}

const publicPart = ({ kty, crv, x }: JWK): JWK => ({ kty, crv, x }) as JWK;

/**
 * Creates the device identity: an Ed25519 signing key and an X25519 envelope key. The private keys
 * exist in extractable form only inside this function: they are wrapped under the passphrase
 * (the one way to move the identity, via backup) and re-imported as non-extractable CryptoKeys.
 */
export async function createIdentity(
  opts: CreateIdentityOptions,
): Promise<{ identity: IdentityRecord; keys: DeviceKeys }> {
  checkPassphrase(opts.passphrase);
  const signing = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
  const envelope = await crypto.subtle.generateKey({ name: 'X25519' }, true, ['deriveBits']);
  const signingPrivate = await crypto.subtle.exportKey('jwk', signing.privateKey);
  const envelopePrivate = await crypto.subtle.exportKey('jwk', envelope.privateKey);
  const signingJwk = publicPart(signingPrivate);
  const envelopeJwk = publicPart(envelopePrivate);
  const deviceId = await deviceIdOf(signingJwk);

  const salt = opts.random(16);
  const iv = opts.random(12);
  const iterations = opts.iterations ?? PBKDF2_ITERATIONS;
  const kek = await derivePassphraseKey(opts.passphrase, salt, iterations);
  const secret = utf8.encode(
    JSON.stringify({ signing: signingPrivate, envelope: envelopePrivate }),
  );
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: bytes(iv), additionalData: bytes(utf8.encode(wrapAad(deviceId))) },
    kek,
    bytes(secret),
  );
  secret.fill(0);

  const identity: IdentityRecord = {
    version: 1,
    deviceId,
    createdAt: opts.clock.now(),
    signingJwk,
    envelopeJwk,
    wrapped: {
      kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: b64u.encode(salt) },
      iv: b64u.encode(iv),
      ciphertext: b64u.encode(new Uint8Array(ciphertext)),
    },
  };
  const keys = await importPrivateKeys(signingPrivate, envelopePrivate);
  return { identity, keys };
}
