import { DiscoError } from '../errors/index.js';
import { b64u, bytes, isCanonicalBase64url, jsonDepthWithin, utf8 } from '../encoding/index.js';
import {
  derivePassphraseKey,
  PBKDF2_MAX_ITERATIONS,
  PBKDF2_MIN_ITERATIONS,
} from '../identity/passphrase_key.js';
import {
  BACKUP_FORMAT,
  BACKUP_MAX_BYTES,
  BACKUP_MAX_DEPTH,
  BACKUP_MAX_RECORDS,
  BACKUP_VERSION,
  type BackupFile,
  type BackupPayload,
  headerAad,
} from './format.js';

const malformed = (why: string) =>
  new DiscoError('ERR_BACKUP_MALFORMED', `This is not a readable Disco backup: ${why}.`);

/** UTF-8 JSON nested at most BACKUP_MAX_DEPTH deep; throws (any error) otherwise. */
function parseJson(input: Uint8Array): unknown {
  const text = utf8.decode(input);
  if (!jsonDepthWithin(text, BACKUP_MAX_DEPTH)) throw new Error('nested too deep');
  return JSON.parse(text);
}

function parseFile(input: Uint8Array): BackupFile {
  if (input.byteLength > BACKUP_MAX_BYTES) {
    throw new DiscoError('ERR_TOO_LARGE', 'This file is too large to be a Disco backup.');
  }
  let f: Partial<BackupFile> & Record<string, unknown>;
  try {
    f = parseJson(input) as typeof f;
  } catch {
    throw malformed('it is damaged or incomplete');
  }
  if (typeof f !== 'object' || f === null || f.format !== BACKUP_FORMAT) {
    throw malformed('it is not a backup file');
  }
  if (f.version !== BACKUP_VERSION) {
    throw new DiscoError(
      'ERR_BACKUP_VERSION',
      `Backup version ${String(f.version)} is not supported.`,
    );
  }
  const { kdf, cipher } = f;
  // Checked without decoding: a canonical base64url text of n characters holds ⌊3n/4⌋ bytes.
  const b64 = (v: unknown, len?: number) =>
    typeof v === 'string' &&
    v.length > 0 &&
    isCanonicalBase64url(v) &&
    (len === undefined || Math.floor((v.length * 3) / 4) === len);
  if (
    !kdf ||
    kdf.name !== 'PBKDF2' ||
    kdf.hash !== 'SHA-256' ||
    !Number.isSafeInteger(kdf.iterations) ||
    !b64(kdf.salt, 16) ||
    !cipher ||
    cipher.name !== 'A256GCM' ||
    !b64(cipher.iv, 12) ||
    !b64(f.ciphertext)
  ) {
    throw malformed('its header is damaged');
  }
  if (kdf.iterations < PBKDF2_MIN_ITERATIONS || kdf.iterations > PBKDF2_MAX_ITERATIONS) {
    throw malformed('its key-derivation settings are out of range');
  }
  return f as BackupFile;
}

function checkPayload(p: unknown): BackupPayload {
  const v = p as Partial<BackupPayload> | null;
  if (
    typeof v !== 'object' ||
    v === null ||
    typeof v.createdAt !== 'number' ||
    typeof v.deviceId !== 'string' ||
    !Array.isArray(v.records) ||
    v.records.length > BACKUP_MAX_RECORDS
  ) {
    throw malformed('its content is damaged');
  }
  for (const r of v.records as unknown[]) {
    const rec = r as Record<string, unknown> | null;
    if (
      typeof rec !== 'object' ||
      rec === null ||
      typeof rec.collection !== 'string' ||
      typeof rec.key !== 'string'
    ) {
      throw malformed('a record is damaged');
    }
  }
  return v as BackupPayload;
}

/**
 * Opens a backup file. Oversized → `ERR_TOO_LARGE`; not JSON, truncated or a damaged header →
 * `ERR_BACKUP_MALFORMED`; unknown version → `ERR_BACKUP_VERSION`; wrong passphrase or any changed
 * byte of header or ciphertext → `ERR_BACKUP_DECRYPT` (AES-GCM cannot tell those two apart).
 */
export async function openBackup(input: Uint8Array, passphrase: string): Promise<BackupPayload> {
  const file = parseFile(input);
  let plain: ArrayBuffer;
  try {
    const key = await derivePassphraseKey(
      passphrase,
      b64u.decode(file.kdf.salt),
      file.kdf.iterations,
    );
    plain = await crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: bytes(b64u.decode(file.cipher.iv)),
        additionalData: bytes(utf8.encode(headerAad(file))),
      },
      key,
      bytes(b64u.decode(file.ciphertext)),
    );
  } catch (err) {
    throw new DiscoError(
      'ERR_BACKUP_DECRYPT',
      'Wrong passphrase, or the backup file was changed or damaged.',
      { cause: err },
    );
  }
  try {
    return checkPayload(parseJson(new Uint8Array(plain)));
  } catch (err) {
    if (err instanceof DiscoError) throw err;
    throw malformed('its content is damaged');
  }
}
