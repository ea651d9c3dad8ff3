import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { IdbStore } from './idb_store.js';
import { KeptStore } from './kept_store.js';
import { onStoreChange } from './store_changes.js';
import { MemoryStore } from '../protocol/storage/memory_store.js';
import { setupDevice } from '../protocol/identity/setup_device.js';
import { PBKDF2_MIN_ITERATIONS } from '../protocol/identity/passphrase_key.js';
import { IDENTITY, KEYS } from '../protocol/identity/identity.js';
import { systemClock, systemRandom } from '../protocol/encoding/index.js';
import { handleRequest } from '../protocol/engine/index.js';
import { PATHS } from '../protocol/messages/paths.js';
import { storeContract } from '../testing/store_contract.js';

storeContract('KeptStore over MemoryStore', () =>
  Promise.resolve(new KeptStore(new MemoryStore())),
);

const newIdentity = (store: IdbStore | MemoryStore) =>
  setupDevice(store, {
    passphrase: 'kept store passphrase',
    clock: systemClock,
    random: systemRandom,
    iterations: PBKDF2_MIN_ITERATIONS,
  });

let n = 0;
/** The worker's store as sw/sw.ts wires it, and a page's own store on the same database. */
async function workerAndPage() {
  const name = `kept-${++n}`;
  const idb = await IdbStore.open(name);
  const worker = new KeptStore(idb);
  const heard = { count: 0, next: () => undefined as void };
  onStoreChange(name, () => {
    worker.forget();
    heard.count++;
    heard.next();
  });
  const announced = () => new Promise<void>((resolve) => (heard.next = resolve));
  return { idb, worker, page: await IdbStore.open(name), announced, heard };
}

async function deviceIdServed(store: KeptStore): Promise<string> {
  const res = await handleRequest(
    { method: 'GET', path: PATHS.configuration, headers: {} },
    { store, clock: systemClock, random: systemRandom, origin: 'https://device.test' },
  );
  expect(res.status).toBe(200);
  return (JSON.parse(res.body) as { device_id: string }).device_id;
}

describe('the service worker keeps the identity in memory (issue #13)', () => {
  it('reads it from IndexedDB once, then from memory, as a copy', async () => {
    const { idb, worker, page, announced } = await workerAndPage();
    const heard = announced();
    const { identity } = await newIdentity(page);
    await heard;
    const read = vi.spyOn(idb, 'get');
    expect(await deviceIdServed(worker)).toBe(identity.deviceId);
    expect(await deviceIdServed(worker)).toBe(identity.deviceId);
    expect(read.mock.calls.filter(([c]) => c === IDENTITY.collection)).toHaveLength(1);
    const copy = await worker.get<{ deviceId: string }>(IDENTITY.collection, IDENTITY.key);
    copy!.deviceId = 'changed in the caller';
    expect(await deviceIdServed(worker)).toBe(identity.deviceId);
  });

  it('serves the new identity once a page replaces it (a restore, a new device)', async () => {
    const { worker, page, announced } = await workerAndPage();
    let heard = announced();
    const first = await newIdentity(page);
    await heard;
    expect(await deviceIdServed(worker)).toBe(first.identity.deviceId);

    heard = announced();
    await page.write([
      { op: 'delete', ...IDENTITY },
      { op: 'delete', ...KEYS },
    ]);
    await heard;
    heard = announced();
    const second = await newIdentity(page);
    await heard;
    expect(second.identity.deviceId).not.toBe(first.identity.deviceId);
    expect(await deviceIdServed(worker)).toBe(second.identity.deviceId);
  });

  it('a page write that touches none of the kept records is not announced', async () => {
    const { worker, page, announced, heard } = await workerAndPage();
    const set = announced();
    await newIdentity(page);
    await set;
    expect(heard.count).toBe(1);
    await page.write([{ op: 'put', collection: 'vault', key: 'name', value: { v: 1 } }]);
    // The announcement of a kept record written after it arrives; that one never did.
    const kept = announced();
    await page.write([{ op: 'put', collection: 'settings', key: 'x', value: 1 }]);
    await kept;
    expect(heard.count).toBe(2);
    expect(await worker.get('settings', 'x')).toBe(1);
  });

  it('forgets what it kept when it writes a kept record itself, and keeps no failed read', async () => {
    const inner = new MemoryStore();
    const worker = new KeptStore(inner);
    await worker.write([{ op: 'put', collection: 'settings', key: 's', value: 1 }]);
    expect(await worker.get('settings', 's')).toBe(1);
    await worker.write([{ op: 'put', collection: 'settings', key: 's', value: 2 }]);
    expect(await worker.get('settings', 's')).toBe(2);

    const get = vi.spyOn(inner, 'get').mockRejectedValueOnce(new Error('disk'));
    await expect(worker.get('keys', 'device')).rejects.toThrow('disk');
    expect(await worker.get('keys', 'device')).toBeUndefined();
    expect(get).toHaveBeenCalledTimes(2);
  });
});
