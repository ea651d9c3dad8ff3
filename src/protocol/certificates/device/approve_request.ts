import { b64u } from '../../encoding/index.js';
import { DiscoError } from '../../errors/index.js';
import type { WriteOp } from '../../storage/index.js';
import type { Certificate } from '../certificate.js';
import { grantRequest } from '../grant_request.js';
import { issueCertificate } from '../issue_certificate.js';
import { CAPABILITY_LIMITS } from '../limits.js';
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
import {
  liveRevocations,
  nextRevocationState,
  readRevocations,
  revocationStateWrites,
} from './revocation_state.js';

const skewMs = CAPABILITY_LIMITS.skew * 1000;

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
 * the certificate is recorded and Activity logs the issue. When every certificate of this app
 * had been revoked (its key is a revoked subject), the same write takes the key off the list and
 * revokes its earlier certificates by id instead (`revocationsChanged`). A second approval of the same request
 * fails with `ERR_STORE_CONFLICT` (or `ERR_NOT_FOUND`) and signs nothing that is recorded.
 *
 * `revocationUrl` is the device's tunnel URL for its list (docs/wire/certificates.md "Revocation").
 * Returns the certificate and, when the request has a return path, the URL to open with it.
 */
export async function approveCapabilityRequest(
  requestId: string,
  choices: ApproveChoices,
  deps: CapabilityDeps & { device: DeviceSigner; revocationUrl?: string },
): Promise<{
  certificate: Certificate;
  request: CertificateRequest;
  returnUrl?: string;
  /** The list changed (the app's key was a revoked subject): publish it again. */
  revocationsChanged?: true;
}> {
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
  const relist = await unrevokeSubject(issued.subject, deps, now);
  await deps.store.write([
    ...relist,
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
  const changed = relist.length > 0 ? { revocationsChanged: true as const } : {};
  return request.returnUrl === undefined
    ? { certificate, request, ...changed }
    : { certificate, request, returnUrl: certificateReturnUrl(request, certificate), ...changed };
}

/**
 * The writes that take an app's key off the list's revoked subjects before it gets a new
 * certificate (otherwise every verifier would refuse the new one): the ids of its earlier
 * certificates still in force join the revoked ids instead, so they, and every delegation made
 * from them, stay revoked. None when the key is not a revoked subject.
 */
async function unrevokeSubject(
  subject: string,
  deps: Pick<CapabilityDeps, 'store'>,
  now: number,
): Promise<WriteOp[]> {
  const { state, certificates } = await readRevocations(deps);
  if (!state?.revokedSubjects?.includes(subject)) return [];
  const live = liveRevocations(state, certificates, now);
  const earlier = certificates
    .filter((c) => c.value.subject === subject && c.value.expiresAt + skewMs >= now)
    .map((c) => c.key);
  const next = nextRevocationState(
    state,
    [...live.revoked, ...earlier],
    live.revokedSubjects.filter((s) => s !== subject),
  );
  return revocationStateWrites(state, next);
}

/** The person refused: the request leaves Requests; nothing is signed. */
export async function refuseCapabilityRequest(
  requestId: string,
  deps: Pick<CapabilityDeps, 'store'>,
): Promise<void> {
  await deps.store.write([{ op: 'delete', collection: CAP_COLLECTIONS.requests, key: requestId }]);
}
