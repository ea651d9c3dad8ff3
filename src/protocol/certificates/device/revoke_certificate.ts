import { b64u } from '../../encoding/index.js';
import { DiscoError } from '../../errors/index.js';
import type { WriteOp } from '../../storage/index.js';
import { CAPABILITY_LIMITS } from '../limits.js';
import { parseCertificate } from '../parse_certificate.js';
import { activityOp, scopeOf } from './activity.js';
import type { CapabilityDeps } from './deps.js';
import {
  CAP_COLLECTIONS,
  REVOCATION_STATE_KEY,
  type IssuedCertificateRecord,
  type RevocationState,
} from './records.js';

/** Ids of certificates that expired more than the clock skew ago: no verifier accepts them. */
async function expiredIds(deps: Pick<CapabilityDeps, 'store'>, now: number): Promise<Set<string>> {
  const all = await deps.store.list<IssuedCertificateRecord>(CAP_COLLECTIONS.certificates);
  const skew = CAPABILITY_LIMITS.skew * 1000;
  return new Set(all.filter((c) => c.value.expiresAt + skew < now).map((c) => c.key));
}

/**
 * Revokes one issued certificate (docs/wire/certificates.md "Revocation"): its id joins the revocation
 * list, whose `sequence` grows by one, and Activity logs it, in one write guarded by the
 * list's previous sequence (two revocations racing cannot both use the same number). Ids of
 * certificates long expired leave the list at the same time, since the sequence changes anyway.
 * Revoking twice changes nothing.
 */
export async function revokeCapabilityCertificate(
  certificateId: string,
  deps: CapabilityDeps,
): Promise<RevocationState> {
  const record = await deps.store.get<IssuedCertificateRecord>(
    CAP_COLLECTIONS.certificates,
    certificateId,
  );
  if (!record) throw new DiscoError('ERR_NOT_FOUND', 'No such certificate on this device.');
  const state = await deps.store.get<RevocationState>(
    CAP_COLLECTIONS.revocations,
    REVOCATION_STATE_KEY,
  );
  if (record.revokedAt !== undefined && state?.revoked.includes(certificateId)) return state;
  const now = deps.clock.now();
  const expired = await expiredIds(deps, now);
  const revoked = [...(state?.revoked ?? []).filter((id) => !expired.has(id)), certificateId];
  if (revoked.length > CAPABILITY_LIMITS.maxRevokedIds) {
    throw new DiscoError('ERR_TOO_LARGE', 'The revocation list is full.');
  }
  const next: RevocationState = { sequence: (state?.sequence ?? 0) + 1, revoked };
  const certificate = await parseCertificate(b64u.decode(record.certificate));
  const guard: WriteOp = state
    ? {
        op: 'expect',
        collection: CAP_COLLECTIONS.revocations,
        key: REVOCATION_STATE_KEY,
        where: { sequence: state.sequence },
      }
    : {
        op: 'add',
        collection: CAP_COLLECTIONS.revocations,
        key: REVOCATION_STATE_KEY,
        value: next,
      };
  await deps.store.write([
    guard,
    { op: 'put', collection: CAP_COLLECTIONS.revocations, key: REVOCATION_STATE_KEY, value: next },
    {
      op: 'put',
      collection: CAP_COLLECTIONS.certificates,
      key: certificateId,
      value: { ...record, revokedAt: now } satisfies IssuedCertificateRecord,
    },
    activityOp(
      {
        kind: 'capability_revoke',
        outcome: 'revoked',
        clientId: record.subject,
        clientName: record.appName,
        scope: scopeOf(certificate.capabilities),
        certificateId,
      },
      now,
      deps.random,
    ),
  ]);
  return next;
}

/** The certificates this device issued, newest first. */
export async function listIssuedCertificates(
  deps: Pick<CapabilityDeps, 'store'>,
): Promise<IssuedCertificateRecord[]> {
  const all = await deps.store.list<IssuedCertificateRecord>(CAP_COLLECTIONS.certificates);
  return all.map((r) => r.value).sort((a, b) => b.issuedAt - a.issuedAt);
}
