import { DiscoError } from '../../errors/index.js';

/**
 * PEM text allowed per certificate: a 64 KiB DER is 87,382 base64 characters, plus CRLF line
 * breaks every 64 characters and the two boundaries.
 */
export const MAX_PEM_CHARS = 96 * 1024;

const BLOCK = /\s*-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]*)-----END CERTIFICATE-----/y;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function malformed(reason: string): DiscoError {
  return new DiscoError('ERR_CERT_MALFORMED', `certificate PEM is malformed: ${reason}`);
}

/**
 * Decodes the `CERTIFICATE` blocks of a PEM text (RFC 7468 §3 and §5). Stricter than the RFC's
 * lax parser on purpose: nothing but whitespace may surround the blocks, no other labels, no
 * headers, canonical base64 with padding. Text that is not exactly certificates is refused, not
 * skipped, so two parties never disagree on what was sent.
 */
export function decodePemCertificates(
  text: string,
  maxBlocks: number,
  maxChars: number,
): Uint8Array[] {
  if (text.length > maxChars) throw malformed(`longer than ${maxChars} characters`);
  const out: Uint8Array[] = [];
  let position = 0;
  for (;;) {
    BLOCK.lastIndex = position;
    const match = BLOCK.exec(text);
    if (!match) break;
    if (out.length === maxBlocks) throw malformed(`more than ${maxBlocks} certificates`);
    const body = match[1]!.replace(/\s+/g, '');
    if (body.length === 0 || !BASE64.test(body)) throw malformed('invalid base64');
    const binary = atob(body);
    const der = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) der[i] = binary.charCodeAt(i);
    out.push(der);
    position = BLOCK.lastIndex;
  }
  if (out.length === 0) throw malformed('no CERTIFICATE block');
  if (!/^\s*$/.test(text.slice(position))) throw malformed('unexpected text outside the blocks');
  return out;
}
