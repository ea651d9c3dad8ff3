import { IdbStore } from '../../browser/idb_store.js';
import { systemClock, systemRandom } from '../../protocol/encoding/index.js';
import { DiscoError, isDiscoError } from '../../protocol/errors/index.js';
import {
  fingerprintOf,
  loadDevice,
  setupDevice,
  type IdentityRecord,
} from '../../protocol/identity/index.js';
import {
  STANDARD_FIELDS,
  validateEntry,
  VAULT,
  vaultKey,
  type FieldErrors,
  type VaultEntry,
} from '../../protocol/vault/index.js';

export type Phase = 'loading' | 'welcome' | 'ready' | 'failed';

/** A person-readable sentence for any error; DiscoErrors carry one already. */
export function explain(err: unknown): string {
  if (isDiscoError(err)) return err.message;
  return 'Something went wrong on this device. Your data was not changed.';
}

const ORDER = [...STANDARD_FIELDS, 'custom'];

/**
 * The device as the page sees it: identity and vault, loaded from IndexedDB, changed only
 * through the protocol core (validation, atomic writes).
 */
export class Device {
  phase = $state<Phase>('loading');
  identity = $state<IdentityRecord | undefined>();
  vault = $state<VaultEntry[]>([]);
  failure = $state('');
  #store: IdbStore | undefined;

  fingerprint = $derived(this.identity ? fingerprintOf(this.identity.deviceId) : '');

  async init(): Promise<void> {
    try {
      this.#store = await IdbStore.open();
      const device = await loadDevice(this.#store);
      this.identity = device?.identity;
      await this.#reloadVault();
      this.phase = device ? 'ready' : 'welcome';
    } catch (err) {
      this.failure = explain(err);
      this.phase = 'failed';
    }
  }

  get store(): IdbStore {
    if (!this.#store) throw new Error('device not initialised');
    return this.#store;
  }

  async create(passphrase: string): Promise<void> {
    const { identity } = await setupDevice(this.store, {
      passphrase,
      clock: systemClock,
      random: systemRandom,
    });
    this.identity = identity;
    this.phase = 'ready';
  }

  async restore(file: File, passphrase: string): Promise<void> {
    const { restoreBackup, BACKUP_MAX_BYTES } = await import('../../protocol/backup/index.js');
    // Checked before reading: a huge file is refused without being loaded into memory.
    if (file.size > BACKUP_MAX_BYTES)
      throw new DiscoError('ERR_TOO_LARGE', 'This file is far larger than any Disco backup.');
    const bytes = new Uint8Array(await file.arrayBuffer());
    this.identity = await restoreBackup(this.store, bytes, passphrase, { now: Date.now() });
    await this.#reloadVault();
    this.phase = 'ready';
  }

  async backup(passphrase: string): Promise<Blob> {
    const { exportBackup } = await import('../../protocol/backup/index.js');
    const bytes = await exportBackup(this.store, passphrase, {
      random: systemRandom,
      now: Date.now(),
    });
    return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/json' });
  }

  /** Validates and saves one entry; returns the field errors, or undefined once saved. */
  async save(input: unknown, previousKey?: string): Promise<FieldErrors | undefined> {
    const result = validateEntry(input, { now: Date.now() });
    if (!result.ok) return result.errors;
    const key = vaultKey(result.entry);
    await this.store.write([
      ...(previousKey && previousKey !== key
        ? [{ op: 'delete' as const, collection: VAULT, key: previousKey }]
        : []),
      { op: 'put', collection: VAULT, key, value: result.entry },
    ]);
    await this.#reloadVault();
    return undefined;
  }

  async remove(key: string): Promise<void> {
    await this.store.write([{ op: 'delete', collection: VAULT, key }]);
    await this.#reloadVault();
  }

  /** Reads the vault again: another tab of the app may have changed it. */
  refreshVault(): Promise<void> {
    return this.#reloadVault();
  }

  async #reloadVault(): Promise<void> {
    const records = await this.store.list<VaultEntry>(VAULT);
    this.vault = records
      .map((r) => r.value)
      .sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  }
}
