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
 * Imports the certificate's subject public key (RFC 5280 §4.1.2.7) as a WebCrypto `CryptoKey`:
 * - `encrypt` (to send the client data only it can read): RSA → `RSA-OAEP` with SHA-256
 *   (JWE `RSA-OAEP-256`), EC P-256 / P-384 → `ECDH` (JWE `ECDH-ES+A256KW`, no usages as WebCrypto
 *   wants for a public ECDH key);
 * - `verify` (to check the client's signatures): RSA → RSA-PSS or RSASSA-PKCS1-v1_5, EC →
 *   `ECDSA`, Ed25519 → `Ed25519`.
 *
 * RSA outside 2048–8192 bits, P-521, Ed25519 for encryption and other key types:
 * ERR_CERT_KEY_UNSUPPORTED. Does not check key usage: `validateCertificate` does that.
 */
export async function importCertificateKey(
  cert: ParsedCertificate,
  usage: KeyPurpose,
  options: ImportCertificateKeyOptions = {},
): Promise<CryptoKey> {
  const { algorithm, usages } = importParameters(cert.publicKey, usage, {
    scheme: options.rsaScheme ?? 'RSA-PSS',
    hash: options.hash ?? 'SHA-256',
  });
  try {
    return await crypto.subtle.importKey(
      'spki',
      cert.certificate.publicKey.rawData,
      algorithm,
      true,
      usages,
    );
  } catch (cause) {
    throw new DiscoError('ERR_CERT_KEY_UNSUPPORTED', 'the certificate key could not be imported', {
      cause,
    });
  }
}
