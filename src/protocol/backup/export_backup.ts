import { DiscoError } from '../errors/index.js';
import type { Random } from '../encoding/index.js';
import { IDENTITY, type IdentityRecord } from '../identity/identity.js';
import { unwrapIdentity } from '../identity/unwrap_identity.js';
import type { Store } from '../storage/store.js';
import { NOT_BACKED_UP } from './collections.js';
import { sealBackup } from './seal_backup.js';

/**
 * Everything the device needs, encrypted under the person's passphrase. The passphrase must be
 * the device's own (it is checked by opening the wrapped keys), so one passphrase protects the
 * keys and every backup, and a backup can always be restored with the passphrase it was made with.
 */
export async function exportBackup(
  store: Store,
  passphrase: string,
  deps: { random: Random; now: number; iterations?: number },
): Promise<Uint8Array> {
  const identity = await store.get<IdentityRecord>(IDENTITY.collection, IDENTITY.key);
  if (!identity) throw new DiscoError('ERR_IDENTITY_MISSING', 'This device has no identity yet.');
  await unwrapIdentity(identity, passphrase);
  const records = (await store.listAll()).filter((r) => !NOT_BACKED_UP.has(r.collection));
  return sealBackup({ createdAt: deps.now, deviceId: identity.deviceId, records }, passphrase, {
    random: deps.random,
    ...(deps.iterations ? { iterations: deps.iterations } : {}),
  });
}
