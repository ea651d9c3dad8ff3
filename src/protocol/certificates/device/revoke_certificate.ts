import { b64u } from '../../encoding/index.js';
import { DiscoError } from '../../errors/index.js';
import { parseCertificate } from '../parse_certificate.js';
import { activityOp, scopeOf } from './activity.js';
import type { CapabilityDeps } from './deps.js';
import { CAP_COLLECTIONS, type IssuedCertificateRecord, type RevocationState } from './records.js';
import {
  liveRevocations,
  nextRevocationState,
  readRevocations,
  revocationStateWrites,
} from './revocation_state.js';

/**
 * Revokes one issued certificate (docs/wire/certificates.md "Revocation"): its id joins the revocation
 * list, whose `sequence` grows by one, and Activity logs it, in one write guarded by the
 * list's previous sequence (two revocations racing cannot both use the same number). Ids of
 * certificates long expired, and subjects with no certificate left in force, leave the list at
 * the same time, since the sequence changes anyway. Revoking twice changes nothing.
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
  const { state, certificates } = await readRevocations(deps);
  if (record.revokedAt !== undefined && state?.revoked.includes(certificateId)) return state;
  const now = deps.clock.now();
  const live = liveRevocations(state, certificates, now);
  const next = nextRevocationState(state, [...live.revoked, certificateId], live.revokedSubjects);
  const certificate = await parseCertificate(b64u.decode(record.certificate));
  await deps.store.write([
    ...revocationStateWrites(state, next),
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
