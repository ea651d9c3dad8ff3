import { DiscoError } from '../errors/index.js';
import { bytes, utf8 } from '../encoding/index.js';

/**
 * PBKDF2-HMAC-SHA-256 (RFC 8018 §5.2) → AES-256-GCM key. 600,000 iterations is OWASP's 2023
 * figure for PBKDF2-SHA-256; WebCrypto has no Argon2, and PBKDF2 needs no extra code.
 */
export const PBKDF2_ITERATIONS = 600_000;
/** Accepted range when reading a file: below is too weak, above is a denial of service. */
export const PBKDF2_MIN_ITERATIONS = 100_000;
export const PBKDF2_MAX_ITERATIONS = 10_000_000;
export const PASSPHRASE_MIN_LENGTH = 12;

export interface KdfParams {
  name: 'PBKDF2';
  hash: 'SHA-256';
  iterations: number;
  /** base64url, 16 bytes */
  salt: string;
}

/** A passphrase is long enough when it has at least 12 characters (spaces count: use words). */
export function checkPassphrase(passphrase: string): void {
  if (typeof passphrase !== 'string' || [...passphrase].length < PASSPHRASE_MIN_LENGTH) {
    throw new DiscoError(
      'ERR_PASSPHRASE_WEAK',
      `Choose a passphrase of at least ${PASSPHRASE_MIN_LENGTH} characters; a few unrelated words work well.`,
    );
  }
}

export async function derivePassphraseKey(
  passphrase: string,
  salt: Uint8Array,
  iterations: number,
): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey(
    'raw',
    bytes(utf8.encode(passphrase.normalize('NFC'))),
    'PBKDF2',
    false,
    ['deriveKey'],
  );
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: bytes(salt), iterations },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}
