import { b64u } from '../../encoding/index.js';
import { DiscoError } from '../../errors/index.js';
import type { WriteOp } from '../../storage/index.js';
import { CAPABILITY_LIMITS } from '../limits.js';
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
 * Revokes every certificate this device issued to one app (docs/wire/certificates.md "Revocation
 * list", `subs`): the app's key (`subject`, base64url) joins the list's revoked subjects, so
 * verifiers refuse every certificate issued to it and every delegation it signed onward, even
 * ones this device never saw. In one write guarded by the previous sequence: the list's
 * `sequence` grows by one, the app's certificates still in force are marked revoked, and
 * Activity logs one `capability_revoke_all` naming them. Revoking an app twice changes nothing.
 * ERR_NOT_FOUND when this device issued nothing to that key; ERR_TOO_LARGE past 100 subjects.
 */
export async function revokeCapabilitySubject(
  subject: string,
  deps: CapabilityDeps,
): Promise<RevocationState> {
  const { state, certificates } = await readRevocations(deps);
  const own = certificates.filter((c) => c.value.subject === subject);
  if (own.length === 0) {
    throw new DiscoError('ERR_NOT_FOUND', 'This device gave no certificate to that app.');
  }
  const now = deps.clock.now();
  const skew = CAPABILITY_LIMITS.skew * 1000;
  const stopped = own.filter((c) => c.value.revokedAt === undefined);
  if (state?.revokedSubjects?.includes(subject) && stopped.length === 0) return state;
  const live = liveRevocations(state, certificates, now);
  // Kept even when all its certificates ran out: revoking is what the person asked, and the
  // next change drops the key from the list anyway (`liveRevocations`).
  const next = nextRevocationState(state, live.revoked, [...live.revokedSubjects, subject]);
  const newest = [...own].sort((a, b) => b.value.issuedAt - a.value.issuedAt)[0]!.value;
  const scopes = new Set<string>();
  for (const c of stopped.filter((c) => c.value.expiresAt + skew >= now)) {
    const certificate = await parseCertificate(b64u.decode(c.value.certificate));
    for (const line of scopeOf(certificate.capabilities)) scopes.add(line);
  }
  const marks: WriteOp[] = stopped.map((c) => ({
    op: 'put',
    collection: CAP_COLLECTIONS.certificates,
    key: c.key,
    value: { ...c.value, revokedAt: now } satisfies IssuedCertificateRecord,
  }));
  await deps.store.write([
    ...revocationStateWrites(state, next),
    ...marks,
    activityOp(
      {
        kind: 'capability_revoke_all',
        outcome: 'revoked',
        clientId: subject,
        clientName: newest.appName,
        scope: [...scopes],
        certificateIds: stopped.map((c) => c.key),
      },
      now,
      deps.random,
    ),
  ]);
  return next;
}
