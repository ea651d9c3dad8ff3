import { DiscoError } from '../../errors/index.js';
import type { StoreRecord, WriteOp } from '../../storage/index.js';
import { CAPABILITY_LIMITS } from '../limits.js';
import type { CapabilityDeps } from './deps.js';
import {
  CAP_COLLECTIONS,
  REVOCATION_STATE_KEY,
  type IssuedCertificateRecord,
  type RevocationState,
} from './records.js';

/** The stored revocation state and the certificates this device issued, read together. */
export async function readRevocations(deps: Pick<CapabilityDeps, 'store'>) {
  const [state, certificates] = await Promise.all([
    deps.store.get<RevocationState>(CAP_COLLECTIONS.revocations, REVOCATION_STATE_KEY),
    deps.store.list<IssuedCertificateRecord>(CAP_COLLECTIONS.certificates),
  ]);
  return { state, certificates };
}

/**
 * The state's ids and subjects without what no verifier would accept anyway (docs/wire/certificates.md
 * "The device's side"): ids of certificates expired more than the clock skew ago, and subjects
 * all of whose certificates did (a delegation never outlives its parent, so nothing signed by
 * such a key is valid either). Called when the sequence changes anyway, so it costs no number.
 */
export function liveRevocations(
  state: RevocationState | undefined,
  certificates: readonly StoreRecord<IssuedCertificateRecord>[],
  now: number,
): { revoked: string[]; revokedSubjects: string[] } {
  const skew = CAPABILITY_LIMITS.skew * 1000;
  const live = certificates.filter((c) => c.value.expiresAt + skew >= now);
  const expired = new Set(certificates.filter((c) => !live.includes(c)).map((c) => c.key));
  const liveSubjects = new Set(live.map((c) => c.value.subject));
  return {
    revoked: (state?.revoked ?? []).filter((id) => !expired.has(id)),
    revokedSubjects: (state?.revokedSubjects ?? []).filter((s) => liveSubjects.has(s)),
  };
}

/**
 * The next state, `sequence` + 1, within the list's limits (ERR_TOO_LARGE past 1000 ids or 100
 * subjects); `revokedSubjects` is left out when empty, as the signed list leaves out `subs`.
 */
export function nextRevocationState(
  state: RevocationState | undefined,
  revoked: readonly string[],
  revokedSubjects: readonly string[],
): RevocationState {
  const ids = [...new Set(revoked)];
  const subjects = [...new Set(revokedSubjects)];
  if (
    ids.length > CAPABILITY_LIMITS.maxRevokedIds ||
    subjects.length > CAPABILITY_LIMITS.maxRevokedSubjects
  ) {
    throw new DiscoError('ERR_TOO_LARGE', 'The revocation list is full.');
  }
  return {
    sequence: (state?.sequence ?? 0) + 1,
    revoked: ids,
    ...(subjects.length > 0 ? { revokedSubjects: subjects } : {}),
  };
}

/**
 * The writes that replace `state` by `next`, guarded by the previous sequence: two changes
 * racing cannot both use the same number (the second write fails with ERR_STORE_CONFLICT).
 */
export function revocationStateWrites(
  state: RevocationState | undefined,
  next: RevocationState,
): WriteOp[] {
  const where = { collection: CAP_COLLECTIONS.revocations, key: REVOCATION_STATE_KEY };
  return [
    state
      ? { op: 'expect', ...where, where: { sequence: state.sequence } }
      : { op: 'add', ...where, value: next },
    { op: 'put', ...where, value: next },
  ];
}
