import { b64u } from '../../encoding/index.js';
import { DiscoError } from '../../errors/index.js';
import type { Certificate } from '../certificate.js';
import { grantRequest } from '../grant_request.js';
import { issueCertificate } from '../issue_certificate.js';
import { parseRequest } from '../parse_request.js';
import type { CertificateRequest } from '../request.js';
import { certificateReturnUrl } from '../return_url.js';
import { activityOp, scopeOf } from './activity.js';
import type { CapabilityDeps, DeviceSigner } from './deps.js';
import {
  CAP_COLLECTIONS,
  type CapabilityRequestRecord,
  type IssuedCertificateRecord,
} from './records.js';

/** What the person chose on the request card. */
export interface ApproveChoices {
  /** Seconds, at most what the app asked for. */
  readonly lifetime?: number;
  /** The values of the requested profile fields the person ticked (others are not given). */
  readonly profile?: Readonly<Record<string, string>>;
}

/**
 * Issues the certificate a waiting request asks for (issue #8 "What a person sees", 3): the
 * request is parsed again (signature, expiry), the person's choices may only narrow it
 * (`grantRequest`), the device identity key signs, and in one write the request leaves Requests,
 * the certificate is recorded and Activity logs the issue. A second approval of the same request
 * fails with `ERR_STORE_CONFLICT` (or `ERR_NOT_FOUND`) and signs nothing that is recorded.
 *
 * `revocationUrl` is the device's tunnel URL for its list (docs/wire/certificates.md "Revocation").
 * Returns the certificate and, when the request has a return path, the URL to open with it.
 */
export async function approveCapabilityRequest(
  requestId: string,
  choices: ApproveChoices,
  deps: CapabilityDeps & { device: DeviceSigner; revocationUrl?: string },
): Promise<{ certificate: Certificate; request: CertificateRequest; returnUrl?: string }> {
  const record = await deps.store.get<CapabilityRequestRecord>(CAP_COLLECTIONS.requests, requestId);
  if (!record) throw new DiscoError('ERR_NOT_FOUND', 'This request is no longer waiting.');
  const now = deps.clock.now();
  const request = await parseRequest(record.bytes, { now });
  const input = grantRequest(
    request,
    {
      ...(choices.lifetime === undefined ? {} : { lifetime: choices.lifetime }),
      ...(choices.profile === undefined ? {} : { profile: choices.profile }),
    },
    {
      issuer: deps.device.issuer,
      now,
      nonce: deps.random(16),
      ...(deps.revocationUrl === undefined ? {} : { revocationUrl: deps.revocationUrl }),
    },
  );
  const certificate = await issueCertificate(input, deps.device.sign);
  const fields = Object.keys(certificate.profile ?? {});
  const issued: IssuedCertificateRecord = {
    id: certificate.id,
    certificate: b64u.encode(certificate.bytes),
    subject: b64u.encode(certificate.subject),
    appName: request.name,
    appUrl: request.url,
    issuedAt: now,
    expiresAt: certificate.expiresAt * 1000,
    fields,
  };
  await deps.store.write([
    { op: 'expect', collection: CAP_COLLECTIONS.requests, key: requestId },
    { op: 'delete', collection: CAP_COLLECTIONS.requests, key: requestId },
    { op: 'add', collection: CAP_COLLECTIONS.certificates, key: certificate.id, value: issued },
    activityOp(
      {
        kind: 'capability_issue',
        outcome: 'approved',
        clientId: issued.subject,
        clientName: request.name,
        scope: scopeOf(certificate.capabilities),
        fields,
        certificateId: certificate.id,
      },
      now,
      deps.random,
    ),
  ]);
  return request.returnUrl === undefined
    ? { certificate, request }
    : { certificate, request, returnUrl: certificateReturnUrl(request, certificate) };
}

/** The person refused: the request leaves Requests; nothing is signed. */
export async function refuseCapabilityRequest(
  requestId: string,
  deps: Pick<CapabilityDeps, 'store'>,
): Promise<void> {
  await deps.store.write([{ op: 'delete', collection: CAP_COLLECTIONS.requests, key: requestId }]);
}
