// `npm run bench`: figures, not assertions. Each section prints operations per second and, where
// there is a natural baseline, the ratio to it measured in the same run.
import 'fake-indexeddb/auto';
import { MemoryStore } from '../src/protocol/storage/memory_store.js';
import { IdbStore } from '../src/browser/idb_store.js';
import type { Store } from '../src/protocol/storage/store.js';
import { createIdentity } from '../src/protocol/identity/create_identity.js';
import { systemRandom } from '../src/protocol/encoding/index.js';
import { PBKDF2_ITERATIONS } from '../src/protocol/identity/passphrase_key.js';

async function measure(name: string, fn: () => Promise<unknown>, minMs = 1000): Promise<number> {
  await fn(); // warm-up
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    await fn();
    n++;
  }
  const perSecond = (n * 1000) / (performance.now() - start);
  console.log(`  ${name.padEnd(44)} ${perSecond.toFixed(1).padStart(10)} ops/s`);
  return perSecond;
}

async function storeBench(label: string, store: Store): Promise<number> {
  let i = 0;
  return measure(`${label}: put + get one vault record`, async () => {
    const key = `k${i++ % 100}`;
    await store.write([
      { op: 'put', collection: 'vault', key, value: { kind: 'name', value: 'Ada', updatedAt: i } },
    ]);
    await store.get('vault', key);
  });
}

console.log('Storage (same workload, same process)');
const memory = await storeBench('MemoryStore', new MemoryStore());
const idb = await storeBench('IdbStore (fake-indexeddb)', await IdbStore.open('bench'));
console.log(`  ratio IdbStore / MemoryStore: ${(idb / memory).toFixed(3)}`);

console.log('\nDevice identity (Ed25519 + X25519 keys, wrapped under the passphrase)');
const full = await measure(
  `createIdentity, PBKDF2 ${PBKDF2_ITERATIONS} iterations`,
  () =>
    createIdentity({
      passphrase: 'benchmark passphrase',
      clock: { now: () => 0 },
      random: systemRandom,
    }),
  3000,
);
const keysOnly = await measure('key generation alone (baseline)', async () => {
  await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
  await crypto.subtle.generateKey({ name: 'X25519' }, true, ['deriveBits']);
});
console.log(
  `  createIdentity takes ${(keysOnly / full).toFixed(0)}× key generation: the KDF is the cost, on purpose`,
);
