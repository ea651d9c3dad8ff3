import { DiscoError, isDiscoError } from '../errors/index.js';
import type { Store } from '../storage/store.js';
import { createIdentity, type CreateIdentityOptions } from './create_identity.js';
import { IDENTITY, KEYS, type DeviceKeys, type IdentityRecord } from './identity.js';

/**
 * First run: creates the identity and stores it with its non-extractable keys in one
 * transaction. A device that already has an identity is never overwritten (`ERR_IDENTITY_EXISTS`).
 */
export async function setupDevice(
  store: Store,
  opts: CreateIdentityOptions,
): Promise<{ identity: IdentityRecord; keys: DeviceKeys }> {
  if (await store.get(IDENTITY.collection, IDENTITY.key)) {
    throw new DiscoError('ERR_IDENTITY_EXISTS', 'This device already has an identity.');
  }
  const created = await createIdentity(opts);
  try {
    await store.write([
      { op: 'add', ...IDENTITY, value: created.identity },
      { op: 'put', ...KEYS, value: created.keys },
    ]);
  } catch (err) {
    if (isDiscoError(err, 'ERR_STORE_CONFLICT')) {
      throw new DiscoError('ERR_IDENTITY_EXISTS', 'This device already has an identity.');
    }
    throw err;
  }
  return created;
}

/** The stored identity and keys, or undefined on a device that has not been set up. */
export async function loadDevice(
  store: Store,
): Promise<{ identity: IdentityRecord; keys: DeviceKeys } | undefined> {
  const identity = await store.get<IdentityRecord>(IDENTITY.collection, IDENTITY.key);
  const keys = await store.get<DeviceKeys>(KEYS.collection, KEYS.key);
  if (!identity && !keys) return undefined;
  if (!identity || !keys) {
    throw new DiscoError('ERR_IDENTITY_MISSING', 'The device keys are incomplete.');
  }
  return { identity, keys };
}
