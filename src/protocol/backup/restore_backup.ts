import { DiscoError } from '../errors/index.js';
import { IDENTITY, KEYS, type IdentityRecord } from '../identity/identity.js';
import { unwrapIdentity } from '../identity/unwrap_identity.js';
import type { Store, WriteOp } from '../storage/store.js';
import { checkBackupRecord, NOT_BACKED_UP, VOID_ON_RESTORE } from './collections.js';
import { openBackup } from './open_backup.js';

/**
 * Replaces everything on this device with the backup's content. Every check runs before the
 * first write, and the replacement is one transaction: a wrong passphrase, a damaged file or a
 * bad record leaves the device exactly as it was. Key B records are checked but not restored:
 * the markers of spent key Bs are not in a backup, so a restored or cloned device honours no key
 * B issued before it was restored (issue #12, 7; docs/threat-model.md).
 */
export async function restoreBackup(
  store: Store,
  file: Uint8Array,
  passphrase: string,
  deps: { now: number },
): Promise<IdentityRecord> {
  const payload = await openBackup(file, passphrase);
  const records = payload.records.map((r) => {
    if (NOT_BACKED_UP.has(r.collection)) {
      throw new DiscoError('ERR_BACKUP_MALFORMED', 'The backup holds records it must not hold.');
    }
    return { ...r, value: checkBackupRecord(r.collection, r.key, r.value, deps.now) };
  });
  const seen = new Set(records.map((r) => `${r.collection}\u0000${r.key}`));
  if (seen.size !== records.length) {
    throw new DiscoError('ERR_BACKUP_MALFORMED', 'The backup holds a record twice.');
  }
  const identity = records.find((r) => r.collection === IDENTITY.collection)?.value as
    IdentityRecord | undefined;
  if (!identity || identity.deviceId !== payload.deviceId) {
    throw new DiscoError('ERR_BACKUP_MALFORMED', 'The backup has no matching device identity.');
  }
  const keys = await unwrapIdentity(identity, passphrase);
  const existing = await store.listAll();
  const ops: WriteOp[] = [
    ...existing.map((r): WriteOp => ({ op: 'delete', collection: r.collection, key: r.key })),
    ...records
      .filter((r) => !VOID_ON_RESTORE.has(r.collection))
      .map((r): WriteOp => ({ op: 'put', ...r })),
    { op: 'put', ...KEYS, value: keys },
  ];
  await store.write(ops);
  return identity;
}
