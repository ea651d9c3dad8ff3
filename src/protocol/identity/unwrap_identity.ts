import type { JWK } from 'jose';
import { DiscoError } from '../errors/index.js';
import { b64u, bytes, utf8 } from '../encoding/index.js';
import { deviceIdOf } from './device_id.js';
import { type DeviceKeys, type IdentityRecord, wrapAad } from './identity.js';
import {
  derivePassphraseKey,
  PBKDF2_MAX_ITERATIONS,
  PBKDF2_MIN_ITERATIONS,
} from './passphrase_key.js';
import { importPrivateKeys } from './import_private_keys.js';

/**
 * Opens the wrapped private keys with the passphrase and checks that they belong to the record:
 * the public halves must equal the record's public keys, and the id must be their thumbprint.
 * Wrong passphrase or any damaged byte → `ERR_BACKUP_DECRYPT`; an inconsistent record →
 * `ERR_BACKUP_MALFORMED`.
 */
export async function unwrapIdentity(
  identity: IdentityRecord,
  passphrase: string,
): Promise<DeviceKeys> {
  const { kdf, iv, ciphertext } = identity.wrapped;
  if (kdf.iterations < PBKDF2_MIN_ITERATIONS || kdf.iterations > PBKDF2_MAX_ITERATIONS) {
    throw new DiscoError('ERR_BACKUP_MALFORMED', 'The key protection settings are out of range.');
  }
  let secret: { signing: JWK; envelope: JWK };
  try {
    const kek = await derivePassphraseKey(passphrase, b64u.decode(kdf.salt), kdf.iterations);
    const plain = await crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: bytes(b64u.decode(iv)),
        additionalData: bytes(utf8.encode(wrapAad(identity.deviceId))),
      },
      kek,
      bytes(b64u.decode(ciphertext)),
    );
    secret = JSON.parse(utf8.decode(new Uint8Array(plain))) as typeof secret;
  } catch (err) {
    throw new DiscoError(
      'ERR_BACKUP_DECRYPT',
      'That passphrase does not open the device keys (or the keys are damaged).',
      { cause: err },
    );
  }
  const same = (a: JWK, b: JWK) => a.kty === b.kty && a.crv === b.crv && a.x === b.x;
  if (
    !same(secret.signing, identity.signingJwk) ||
    !same(secret.envelope, identity.envelopeJwk) ||
    (await deviceIdOf(identity.signingJwk)) !== identity.deviceId
  ) {
    throw new DiscoError('ERR_BACKUP_MALFORMED', 'The device keys do not match the device id.');
  }
  try {
    return await importPrivateKeys(secret.signing, secret.envelope);
  } catch (err) {
    throw new DiscoError('ERR_BACKUP_MALFORMED', 'The device keys could not be imported.', {
      cause: err,
    });
  }
}
