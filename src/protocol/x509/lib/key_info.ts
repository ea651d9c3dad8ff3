import { DiscoError } from '../../errors/index.js';
import type { x509 } from './peculiar.js';
type X509Certificate = x509.X509Certificate;
import type { KeyPurpose, PublicKeyInfo } from '../types.js';

/** RSA moduli below this are refused (NIST SP 800-131A); above the maximum, verification cost grows. */
export const MIN_RSA_BITS = 2048;
export const MAX_RSA_BITS = 8192;

/** SubjectPublicKeyInfo of an Ed25519 key: 12-byte prefix (RFC 8410 §4) + 32-byte key. */
const ED25519_SPKI_LENGTH = 44;

interface KeyAlgorithmFields {
  readonly name: string;
  readonly namedCurve?: unknown;
  readonly modulusLength?: unknown;
}

/** Describes the subject public key (RFC 5280 §4.1.2.7) without judging it. */
export function describePublicKey(cert: X509Certificate): PublicKeyInfo {
  let algorithm: KeyAlgorithmFields;
  try {
    algorithm = cert.publicKey.algorithm;
  } catch {
    return { type: 'unsupported', algorithm: 'unknown' };
  }
  switch (algorithm.name) {
    case 'RSASSA-PKCS1-v1_5': // what the library calls rsaEncryption (RFC 3279 §2.3.1)
      if (typeof algorithm.modulusLength === 'number') {
        return { type: 'RSA', modulusBits: algorithm.modulusLength };
      }
      break;
    case 'ECDSA': // id-ecPublicKey (RFC 5480 §2.1.1)
      if (
        algorithm.namedCurve === 'P-256' ||
        algorithm.namedCurve === 'P-384' ||
        algorithm.namedCurve === 'P-521'
      ) {
        return { type: 'EC', curve: algorithm.namedCurve };
      }
      return { type: 'unsupported', algorithm: `EC ${String(algorithm.namedCurve)}` };
    case 'Ed25519':
      if (cert.publicKey.rawData.byteLength === ED25519_SPKI_LENGTH) return { type: 'Ed25519' };
      break;
  }
  return { type: 'unsupported', algorithm: algorithm.name };
}

function unsupported(info: PublicKeyInfo, purpose: KeyPurpose): DiscoError {
  const name =
    info.type === 'RSA'
      ? `RSA ${info.modulusBits}`
      : info.type === 'EC'
        ? `EC ${info.curve}`
        : info.type === 'unsupported'
          ? info.algorithm
          : info.type;
  return new DiscoError('ERR_CERT_KEY_UNSUPPORTED', `a ${name} key cannot be used to ${purpose}`);
}

/** RSA is usable for every purpose only within the size bounds. */
export function checkRsaSize(info: PublicKeyInfo): void {
  if (info.type === 'RSA' && (info.modulusBits < MIN_RSA_BITS || info.modulusBits > MAX_RSA_BITS)) {
    throw new DiscoError(
      'ERR_CERT_KEY_UNSUPPORTED',
      `RSA keys must have ${MIN_RSA_BITS} to ${MAX_RSA_BITS} bits`,
    );
  }
}

export type RsaSignatureScheme = 'RSA-PSS' | 'RSASSA-PKCS1-v1_5';
export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';

/**
 * Whether Disco can use this key for the purpose, else ERR_CERT_KEY_UNSUPPORTED: RSA of 2048 to
 * 8192 bits and EC P-256 / P-384 for both purposes, Ed25519 for verification only (it cannot
 * encrypt). P-521 is refused (JOSE libraries and browsers support it unevenly), and so is
 * anything else (DSA, secp256k1, RSA-PSS-only keys, …).
 */
export function checkKeyFor(info: PublicKeyInfo, purpose: KeyPurpose): void {
  checkRsaSize(info);
  const usable =
    info.type === 'RSA' ||
    (info.type === 'EC' && info.curve !== 'P-521') ||
    (info.type === 'Ed25519' && purpose === 'verify');
  if (!usable) throw unsupported(info, purpose);
}

/**
 * The WebCrypto import parameters and usages for a key and purpose (after `checkKeyFor`).
 * Encryption: RSA → RSA-OAEP with SHA-256 (JWE `RSA-OAEP-256`, RFC 7518 §4.3); EC → ECDH (JWE
 * `ECDH-ES`, RFC 7518 §4.6). Verification: RSA → the given scheme and hash, EC → ECDSA,
 * Ed25519 → Ed25519.
 */
export function importParameters(
  info: PublicKeyInfo,
  purpose: KeyPurpose,
  rsa: { readonly scheme: RsaSignatureScheme; readonly hash: HashName },
): { algorithm: RsaHashedImportParams | EcKeyImportParams | Algorithm; usages: KeyUsage[] } {
  checkKeyFor(info, purpose);
  if (info.type === 'RSA') {
    return purpose === 'encrypt'
      ? { algorithm: { name: 'RSA-OAEP', hash: 'SHA-256' }, usages: ['encrypt'] }
      : { algorithm: { name: rsa.scheme, hash: rsa.hash }, usages: ['verify'] };
  }
  if (info.type === 'EC') {
    return purpose === 'encrypt'
      ? { algorithm: { name: 'ECDH', namedCurve: info.curve }, usages: [] }
      : { algorithm: { name: 'ECDSA', namedCurve: info.curve }, usages: ['verify'] };
  }
  return { algorithm: { name: 'Ed25519' }, usages: ['verify'] };
}
