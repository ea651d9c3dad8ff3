import type { KdfParams } from '../identity/passphrase_key.js';

/**
 * A Disco backup file is UTF-8 JSON (docs/backup-format.md):
 *
 *   { "format": "disco-backup", "version": 1,
 *     "kdf": { "name": "PBKDF2", "hash": "SHA-256", "iterations": 600000, "salt": b64u(16) },
 *     "cipher": { "name": "A256GCM", "iv": b64u(12) },
 *     "ciphertext": b64u(AES-256-GCM(payload)) }
 *
 * The additional authenticated data is the header (every field but `ciphertext`) in the
 * canonical form `headerAad` produces, so a changed header fails like a changed byte.
 */
export const BACKUP_FORMAT = 'disco-backup';
export const BACKUP_VERSION = 1;
/** 64 MiB: far above a real vault, low enough that a hostile file cannot exhaust the page. */
export const BACKUP_MAX_BYTES = 64 * 1024 * 1024;
export const BACKUP_MAX_RECORDS = 100_000;
/** Deepest nesting of arrays and objects read, in the file and in its payload (real ones: < 10). */
export const BACKUP_MAX_DEPTH = 32;

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  version: typeof BACKUP_VERSION;
  kdf: KdfParams;
  cipher: { name: 'A256GCM'; iv: string };
}

export interface BackupFile extends BackupHeader {
  ciphertext: string;
}

/** What the ciphertext holds. */
export interface BackupPayload {
  createdAt: number;
  deviceId: string;
  records: Array<{ collection: string; key: string; value: unknown }>;
}

export function headerAad(h: BackupHeader): string {
  return JSON.stringify([
    h.format,
    h.version,
    h.kdf.name,
    h.kdf.hash,
    h.kdf.iterations,
    h.kdf.salt,
    h.cipher.name,
    h.cipher.iv,
  ]);
}
