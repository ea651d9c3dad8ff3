import { b64u, bytes, utf8, type Random } from '../encoding/index.js';
import { derivePassphraseKey, PBKDF2_ITERATIONS } from '../identity/passphrase_key.js';
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  type BackupFile,
  type BackupHeader,
  type BackupPayload,
  headerAad,
} from './format.js';

/** Encrypts a payload under the passphrase: PBKDF2-SHA-256 → AES-256-GCM, header as AAD. */
export async function sealBackup(
  payload: BackupPayload,
  passphrase: string,
  opts: { random: Random; iterations?: number },
): Promise<Uint8Array> {
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    kdf: {
      name: 'PBKDF2',
      hash: 'SHA-256',
      iterations: opts.iterations ?? PBKDF2_ITERATIONS,
      salt: b64u.encode(opts.random(16)),
    },
    cipher: { name: 'A256GCM', iv: b64u.encode(opts.random(12)) },
  };
  const key = await derivePassphraseKey(
    passphrase,
    b64u.decode(header.kdf.salt),
    header.kdf.iterations,
  );
  const ciphertext = await crypto.subtle.encrypt(
    {
      name: 'AES-GCM',
      iv: bytes(b64u.decode(header.cipher.iv)),
      additionalData: bytes(utf8.encode(headerAad(header))),
    },
    key,
    bytes(utf8.encode(JSON.stringify(payload))),
  );
  const file: BackupFile = { ...header, ciphertext: b64u.encode(new Uint8Array(ciphertext)) };
  return utf8.encode(JSON.stringify(file, null, 1));
}
