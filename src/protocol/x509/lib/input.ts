import { DiscoError } from '../../errors/index.js';
import { decodePemCertificates, MAX_PEM_CHARS } from './pem.js';

/**
 * The DER bytes of one certificate given as a PEM string with exactly one `CERTIFICATE` block
 * (RFC 7468 §5) or as DER bytes, always in a fresh buffer of our own: the caller may reuse or
 * change theirs while we hash or parse.
 */
export function derOf(input: string | Uint8Array): Uint8Array {
  if (typeof input === 'string') return decodePemCertificates(input, 1, MAX_PEM_CHARS)[0]!;
  if (input instanceof Uint8Array) return new Uint8Array(input);
  throw new DiscoError('ERR_CERT_MALFORMED', 'certificate must be a PEM string or DER bytes');
}
