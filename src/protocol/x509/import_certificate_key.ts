import { DiscoError } from '../errors/index.js';
import { importParameters, type HashName, type RsaSignatureScheme } from './lib/key_info.js';
import type { KeyPurpose, ParsedCertificate } from './types.js';

export interface ImportCertificateKeyOptions {
  /** RSA signature scheme to verify with (default `RSA-PSS`, JWS `PS256`; or `RSASSA-PKCS1-v1_5`, `RS256`). */
  readonly rsaScheme?: RsaSignatureScheme;
  /** Hash bound to an RSA verification key (default SHA-256). ECDSA picks its hash when verifying. */
  readonly hash?: HashName;
}

/**
 * Keys imported before, per parse tree (the certificate cache shares one per byte string) and
 * per algorithm: a public key imported from the same bytes with the same parameters is the same
 * key, and a `CryptoKey` cannot be changed. Issue #13: importing the client's keys again on
 * every request was a third of the engine's crypto. Failures are not kept. Weak, so a
 * certificate the cache drops takes its keys with it.
 */
const imported = new WeakMap<object, Map<string, CryptoKey>>();

/**
 * Imports the certificate's subject public key (RFC 5280 §4.1.2.7) as a WebCrypto `CryptoKey`:
 * - `encrypt` (to send the client data only it can read): RSA → `RSA-OAEP` with SHA-256
 *   (JWE `RSA-OAEP-256`), EC P-256 / P-384 → `ECDH` (JWE `ECDH-ES+A256KW`, no usages as WebCrypto
 *   wants for a public ECDH key);
 * - `verify` (to check the client's signatures): RSA → RSA-PSS or RSASSA-PKCS1-v1_5, EC →
 *   `ECDSA`, Ed25519 → `Ed25519`.
 *
 * RSA outside 2048–8192 bits, P-521, Ed25519 for encryption and other key types:
 * ERR_CERT_KEY_UNSUPPORTED. Does not check key usage: `validateCertificate` does that. Importing
 * the same certificate (the same parse) with the same options again returns the same key.
 */
export async function importCertificateKey(
  cert: ParsedCertificate,
  usage: KeyPurpose,
  options: ImportCertificateKeyOptions = {},
): Promise<CryptoKey> {
  const scheme = options.rsaScheme ?? 'RSA-PSS';
  const hash = options.hash ?? 'SHA-256';
  const { algorithm, usages } = importParameters(cert.publicKey, usage, { scheme, hash });
  const name = `${usage} ${scheme} ${hash}`;
  const known = imported.get(cert.certificate)?.get(name);
  if (known) return known;
  try {
    const key = await crypto.subtle.importKey(
      'spki',
      cert.certificate.publicKey.rawData,
      algorithm,
      true,
      usages,
    );
    const keys = imported.get(cert.certificate) ?? new Map<string, CryptoKey>();
    keys.set(name, key);
    imported.set(cert.certificate, keys);
    return key;
  } catch (cause) {
    throw new DiscoError('ERR_CERT_KEY_UNSUPPORTED', 'the certificate key could not be imported', {
      cause,
    });
  }
}
