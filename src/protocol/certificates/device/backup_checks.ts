import { DiscoError } from '../../errors/index.js';
import { CAPABILITY_LIMITS } from '../limits.js';
import {
  CAP_COLLECTIONS,
  REVOCATION_STATE_KEY,
  type IssuedCertificateRecord,
  type RevocationState,
} from './records.js';

/**
 * Which capability collections a backup carries (src/protocol/backup/collections.ts):
 *  - issued certificates and the revocation state (ids and subjects) are kept, so a restored
 *    device still lists what it issued, can revoke it, and goes on from its last sequence number (starting again at
 *    0 would be refused by every verifier as a rollback);
 *  - waiting requests are not: they live ten minutes at most.
 * Records from a file are shape-checked here; the certificate bytes are parsed again (signature
 * and all) whenever they are used.
 */
export const CAPABILITY_NOT_BACKED_UP: readonly string[] = [CAP_COLLECTIONS.requests];

const damaged = (what: string) =>
  new DiscoError('ERR_BACKUP_MALFORMED', `A ${what} record in the backup is damaged.`);
const isString = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 8192;
/** A certificate id or an Ed25519 key, base64url: 32 bytes. */
const isId = (v: unknown) => typeof v === 'string' && /^[A-Za-z0-9_-]{43}$/.test(v);
const isTime = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;

function checkCertificate(key: string, value: unknown): IssuedCertificateRecord {
  const v = value as Partial<IssuedCertificateRecord> | null;
  const ok =
    typeof v === 'object' &&
    v !== null &&
    v.id === key &&
    [v.certificate, v.subject, v.appName, v.appUrl].every(isString) &&
    isTime(v.issuedAt) &&
    isTime(v.expiresAt) &&
    Array.isArray(v.fields) &&
    v.fields.every((f) => typeof f === 'string') &&
    (v.revokedAt === undefined || isTime(v.revokedAt));
  if (!ok) throw damaged('certificate');
  return v as IssuedCertificateRecord;
}

function checkRevocations(key: string, value: unknown): RevocationState {
  const v = value as Partial<RevocationState> | null;
  const ok =
    key === REVOCATION_STATE_KEY &&
    typeof v === 'object' &&
    v !== null &&
    isTime(v.sequence) &&
    Array.isArray(v.revoked) &&
    v.revoked.length <= CAPABILITY_LIMITS.maxRevokedIds &&
    v.revoked.every(isId) &&
    (v.revokedSubjects === undefined ||
      (Array.isArray(v.revokedSubjects) &&
        v.revokedSubjects.length > 0 &&
        v.revokedSubjects.length <= CAPABILITY_LIMITS.maxRevokedSubjects &&
        v.revokedSubjects.every(isId)));
  if (!ok) throw damaged('revocation list');
  return v as RevocationState;
}

export const CAPABILITY_BACKUP_CHECKS: Readonly<
  Record<string, (key: string, value: unknown) => unknown>
> = {
  [CAP_COLLECTIONS.certificates]: checkCertificate,
  [CAP_COLLECTIONS.revocations]: checkRevocations,
};
