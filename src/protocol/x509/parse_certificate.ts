import { derOf } from './lib/input.js';
import { summarize } from './lib/summarize.js';
import type { ParsedCertificate } from './types.js';

/**
 * Parses one X.509 certificate (RFC 5280 §4.1): a PEM string with exactly one `CERTIFICATE`
 * block (RFC 7468 §5), or DER bytes. Refuses with ERR_CERT_MALFORMED anything else: other
 * text, trailing bytes, BER instead of DER, versions other than v3, duplicate extensions, a
 * `signatureAlgorithm` that differs from the signed one, or more than 64 KiB.
 *
 * Parsing does not validate: see `validateCertificate` for dates, chains and key usage.
 * `createCertificateCache` parses the same way and keeps the results.
 */
export async function parseCertificate(input: string | Uint8Array): Promise<ParsedCertificate> {
  return summarize(derOf(input));
}
