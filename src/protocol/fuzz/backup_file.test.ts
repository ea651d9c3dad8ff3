/**
 * Issue #11: a backup file is input from outside. Every byte of a real backup changed in turn, and
 * every truncation, is refused with a typed error, and the device it was restored onto is exactly
 * as before: same records, not one write (the restore is checked whole before its one
 * transaction). Runs the pure restore path on a memory store.
 */
import { describe, expect, it, vi } from 'vitest';
import { isDiscoError } from '../errors/index.js';
import { systemRandom } from '../encoding/index.js';
import { restoreBackup } from '../backup/restore_backup.js';
import { setupDevice } from '../identity/setup_device.js';
import { PBKDF2_MIN_ITERATIONS } from '../identity/passphrase_key.js';
import { MemoryStore } from '../storage/memory_store.js';
import { CLOCK_MS, PASSPHRASE, samples } from './fixtures.js';

// PBKDF2 at 100,000 iterations costs ~50 ms, and almost every changed byte reaches it. The KDF is
// a pure function, so the test remembers its keys: the same key is derived, thousands of times
// faster. Decryption, parsing and every check run for real.
vi.mock('../identity/passphrase_key.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../identity/passphrase_key.js')>();
  const keys = new Map<string, Promise<CryptoKey>>();
  return {
    ...real,
    derivePassphraseKey: (passphrase: string, salt: Uint8Array, iterations: number) => {
      const id = `${passphrase}\u0000${Buffer.from(salt).toString('hex')}\u0000${iterations}`;
      let key = keys.get(id);
      if (!key) {
        key = real.derivePassphraseKey(passphrase, salt, iterations);
        keys.set(id, key);
      }
      return key;
    },
  };
});

/** The bit patterns each byte is changed by: low bit, letter case, high bit (not UTF-8 then). */
const FLIPS = [0x01, 0x20, 0x80] as const;

/** A device that is already set up, with data: what a refused restore must leave untouched. */
async function occupiedDevice() {
  const store = new MemoryStore();
  await setupDevice(store, {
    passphrase: 'another device passphrase',
    clock: { now: () => 1 },
    random: systemRandom,
    iterations: PBKDF2_MIN_ITERATIONS,
  });
  await store.write([
    {
      op: 'put',
      collection: 'vault',
      key: 'name',
      value: { kind: 'name', value: 'Grace Hopper', updatedAt: 1 },
    },
  ]);
  let writes = 0;
  const write = store.write.bind(store);
  store.write = (ops) => {
    writes++;
    return write(ops);
  };
  const snapshot = async () =>
    (await store.listAll()).map(({ collection, key, value }) => ({
      collection,
      key,
      value: collection === 'keys' ? Object.keys(value as object) : value,
    }));
  return { store, snapshot, writes: () => writes };
}

// One occupied device for all cases (making one costs a real KDF); a case that writes is a
// failure, and the next case gets a new device.
let shared: ReturnType<typeof occupiedDevice> | undefined;

async function refusedAndUntouched(file: Uint8Array): Promise<string | undefined> {
  shared ??= occupiedDevice();
  const device = await shared;
  const before = await device.snapshot();
  const writesBefore = device.writes();
  let error: unknown;
  try {
    await restoreBackup(device.store, file, PASSPHRASE, { now: CLOCK_MS });
  } catch (err) {
    error = err;
  }
  if (device.writes() !== writesBefore) {
    shared = undefined;
    return `${isDiscoError(error) ? error.code : String(error)}, but the store was written to`;
  }
  if (!isDiscoError(error)) return `not refused with a DiscoError: ${String(error)}`;
  expect(await device.snapshot()).toEqual(before);
  return undefined;
}

describe('backup files, every byte', () => {
  it('the unchanged backup restores (the harness is sound)', async () => {
    const { backup, deviceId } = await samples();
    const store = new MemoryStore();
    const identity = await restoreBackup(store, backup, PASSPHRASE, { now: CLOCK_MS });
    expect(identity.deviceId).toBe(deviceId);
    expect((await store.list('vault')).map((r) => r.key)).toEqual(['address', 'email']);
  });

  it(`every byte changed in turn (${FLIPS.length} ways each) is refused, nothing restored`, async () => {
    const { backup } = await samples();
    const failures: string[] = [];
    let cases = 0;
    for (let i = 0; i < backup.length; i++) {
      for (const flip of FLIPS) {
        const file = backup.slice();
        file[i] = file[i]! ^ flip;
        cases++;
        const problem = await refusedAndUntouched(file);
        if (problem) failures.push(`byte ${i} ^ 0x${flip.toString(16)}: ${problem}`);
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBe(backup.length * FLIPS.length);
    expect(cases).toBeGreaterThan(1000); // a real backup, not a stub
  }, 300_000);

  it('every truncation is refused, nothing restored', async () => {
    const { backup } = await samples();
    const failures: string[] = [];
    for (let end = 0; end < backup.length; end++) {
      const problem = await refusedAndUntouched(backup.slice(0, end));
      if (problem) failures.push(`first ${end} bytes: ${problem}`);
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
