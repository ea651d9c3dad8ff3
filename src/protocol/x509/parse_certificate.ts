import { DiscoError } from '../errors/index.js';
import { decodePemCertificates, MAX_PEM_CHARS } from './lib/pem.js';
import { summarize } from './lib/summarize.js';
import type { ParsedCertificate } from './types.js';

/**
 * Parses one X.509 certificate (RFC 5280 §4.1): a PEM string with exactly one `CERTIFICATE`
 * block (RFC 7468 §5), or DER bytes. Refuses with ERR_CERT_MALFORMED anything else: other
 * text, trailing bytes, BER instead of DER, versions other than v3, duplicate extensions, a
 * `signatureAlgorithm` that differs from the signed one, or more than 64 KiB.
 *
 * Parsing does not validate: see `validateCertificate` for dates, chains and key usage.
 */
export async function parseCertificate(input: string | Uint8Array): Promise<ParsedCertificate> {
  if (typeof input === 'string') {
    const [der] = decodePemCertificates(input, 1, MAX_PEM_CHARS);
    return summarize(der!);
  }
  if (input instanceof Uint8Array) return summarize(input);
  throw new DiscoError('ERR_CERT_MALFORMED', 'certificate must be a PEM string or DER bytes');
}
