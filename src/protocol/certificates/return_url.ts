import { b64u } from '../encoding/index.js';
import { DiscoError } from '../errors/index.js';
import type { Certificate } from './certificate.js';
import type { CertificateRequest } from './request.js';

/**
 * Where the device sends the person's browser with the certificate (the seed's `returnPath`):
 * the request's own `ret`, already checked to be on the app's origin, with `certificate` set to
 * the base64url envelope. Only a certificate answering this very request is sent, so the URL can
 * never become an open redirect for something else.
 */
export function certificateReturnUrl(
  request: CertificateRequest,
  certificate: Certificate,
): string {
  if (request.returnUrl === undefined) {
    throw new DiscoError('ERR_CAP_MALFORMED', 'request: it has no return URL');
  }
  if (certificate.request !== request.id) {
    throw new DiscoError('ERR_CAP_PROOF_MISMATCH', 'certificate: it answers another request');
  }
  const url = new URL(request.returnUrl);
  url.searchParams.set('certificate', b64u.encode(certificate.bytes));
  return url.href;
}
