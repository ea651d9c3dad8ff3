import { decodePemCertificates, MAX_PEM_CHARS } from './lib/pem.js';
import { summarize } from './lib/summarize.js';
import type { ParsedCertificate } from './types.js';

/** Most certificates one PEM chain may carry (leaf + intermediates); real chains have 2–4. */
export const MAX_CHAIN_CERTIFICATES = 10;

/**
 * Parses a PEM chain (RFC 7468 §5, as in RFC 8446 §4.4.2's certificate_list order: usually the
 * leaf first, then the certificates that certify it), each certificate as `parseCertificate`
 * does. The order is kept; `validateCertificate` finds the path itself and does not rely on it.
 */
export async function parseCertificateChain(pem: string): Promise<ParsedCertificate[]> {
  const blocks = decodePemCertificates(
    pem,
    MAX_CHAIN_CERTIFICATES,
    MAX_PEM_CHARS * MAX_CHAIN_CERTIFICATES,
  );
  const out: ParsedCertificate[] = [];
  for (const der of blocks) out.push(await summarize(der));
  return out;
}
