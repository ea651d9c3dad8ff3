import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../playwright.config.js';
import { COLLECTIONS, type ActivityRecord } from '../src/protocol/auth/records.js';
import { exportBackup } from '../src/protocol/backup/index.js';
import { systemRandom } from '../src/protocol/encoding/index.js';
import { PBKDF2_MIN_ITERATIONS } from '../src/protocol/identity/passphrase_key.js';
import { setupDevice } from '../src/protocol/identity/setup_device.js';
import { MemoryStore } from '../src/protocol/storage/memory_store.js';
import { test, expect, createDevice } from './fixtures.js';

/**
 * The browser process killed (SIGKILL, as a crash or a phone's OOM killer would) during a large
 * IndexedDB batch: a restore that replaces a whole device with a backup of 3,000 records. After
 * the restart the store is the old device or the restored one, never a mix (issue #11). The kill
 * comes at several delays after the click, so some land before, some during, some after the write.
 */
const RECORDS = 3000;
const BACKUP_PASSPHRASE = 'backup of the big device';

async function bigBackup(): Promise<{ file: string; deviceId: string }> {
  const store = new MemoryStore();
  const now = Date.now();
  const { identity } = await setupDevice(store, {
    passphrase: BACKUP_PASSPHRASE,
    clock: { now: () => now },
    random: systemRandom,
    iterations: PBKDF2_MIN_ITERATIONS,
  });
  await store.write(
    Array.from({ length: RECORDS }, (_, i) => {
      const value: ActivityRecord = {
        id: `a${String(i).padStart(5, '0')}`,
        at: now - i * 1000,
        kind: 'key_a',
        outcome: 'approved',
        decidedBy: 'person',
        clientId: 'shop',
        clientName: 'Demo Shop',
        scope: ['address'],
      };
      return { op: 'put' as const, collection: COLLECTIONS.activity, key: value.id, value };
    }),
  );
  const bytes = await exportBackup(store, BACKUP_PASSPHRASE, {
    random: systemRandom,
    now,
    iterations: PBKDF2_MIN_ITERATIONS,
  });
  const file = join(await mkdtemp(join(tmpdir(), 'disco-big-backup-')), 'big.disco-backup');
  await writeFile(file, bytes);
  return { file, deviceId: identity.deviceId };
}

const launch = (profile: string) =>
  chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  });

/** What the device's IndexedDB holds: its identity and how many activity records. */
async function storeState(context: BrowserContext, url: string) {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url);
  return page.evaluate(
    ({ activity }) =>
      new Promise<{ deviceId: string | undefined; activity: number }>((resolve, reject) => {
        const open = indexedDB.open('disco');
        open.onerror = () => reject(new Error('cannot open'));
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('records'))
            return resolve({ deviceId: undefined, activity: 0 });
          const store = db.transaction('records').objectStore('records');
          const id = store.get(['identity', 'device']);
          const keys = store.getAllKeys(IDBKeyRange.bound([activity], [activity, []]));
          keys.onsuccess = () =>
            resolve({
              deviceId: (id.result as { deviceId?: string } | undefined)?.deviceId,
              activity: keys.result.length,
            });
        };
      }),
    { activity: COLLECTIONS.activity },
  );
}

test('the browser killed during a restore of 3,000 records: the device is the old one or the restored one, never a mix', async ({
  appUrl,
}) => {
  test.setTimeout(240_000);
  const { file, deviceId: restoredId } = await bigBackup();
  const outcomes: string[] = [];
  for (const delayMs of [0, 150, 400, 800, 1500]) {
    const profile = await mkdtemp(join(tmpdir(), 'disco-kill-'));
    try {
      let context = await launch(profile);
      const page = context.pages()[0] ?? (await context.newPage());
      await createDevice(page, undefined, `${appUrl}/`);
      await page.getByRole('link', { name: 'Settings' }).click();
      const oldId = (await page.getByTestId('device-id').textContent())?.trim();
      await page.getByLabel('Backup file').setInputFiles(file);
      await page.getByLabel('Passphrase of the backup').fill(BACKUP_PASSPHRASE);
      await page.getByRole('button', { name: 'Restore from backup' }).click({ noWaitAfter: true });
      await new Promise((r) => setTimeout(r, delayMs));
      // Every process of this browser (they all carry the profile's path), at once.
      execFileSync('pkill', ['-KILL', '-f', profile]);
      await context.close().catch(() => undefined);

      context = await launch(profile);
      const state = await storeState(context, `${appUrl}/`);
      await context.close();
      if (state.deviceId === oldId) {
        expect(state.activity, `killed ${delayMs} ms in: old device`).toBe(0);
        outcomes.push('old');
      } else {
        expect(state.deviceId, `killed ${delayMs} ms in`).toBe(restoredId);
        expect(state.activity, `killed ${delayMs} ms in: restored device`).toBe(RECORDS);
        outcomes.push('restored');
      }
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  }
  test.info().annotations.push({ type: 'outcomes', description: outcomes.join(', ') });
  console.log(`kill outcomes: ${outcomes.join(', ')}`);
  expect(outcomes).toHaveLength(5);
});
