import type { Store, StoreRecord, WriteOp } from '../protocol/storage/store.js';
import { KEPT_COLLECTIONS, touchesKept } from './store_changes.js';

/**
 * A Store that keeps, once read, the records of `KEPT_COLLECTIONS` (the identity, its keys, the
 * settings) in memory, and reads everything else through. The service worker reads them on every
 * request, from IndexedDB, for records that change only when the person sets up, restores or
 * re-keys the device (issue #13). It forgets them all when it writes one itself, and when told
 * (`forget`, wired to the pages' announcements in src/browser/store_changes.ts). Each read hands
 * out a copy, as IndexedDB does.
 */
export class KeptStore implements Store {
  readonly #kept = new Map<string, Promise<unknown>>();

  constructor(private readonly inner: Store) {}

  /** Drops what is kept: the next read goes to the store. */
  forget(): void {
    this.#kept.clear();
  }

  async get<T>(collection: string, key: string): Promise<T | undefined> {
    if (!KEPT_COLLECTIONS.has(collection)) return this.inner.get<T>(collection, key);
    const id = `${collection}\u0000${key}`;
    let kept = this.#kept.get(id);
    if (!kept) {
      const read = this.inner.get<unknown>(collection, key);
      this.#kept.set(id, (kept = read));
      // A failed read is not kept: the next one tries again.
      read.catch(() => {
        if (this.#kept.get(id) === read) this.#kept.delete(id);
      });
    }
    const value = await kept;
    return value === undefined ? undefined : (structuredClone(value) as T);
  }

  list<T>(collection: string): Promise<Array<StoreRecord<T>>> {
    return this.inner.list<T>(collection);
  }

  listAll(): Promise<StoreRecord[]> {
    return this.inner.listAll();
  }

  async write(ops: readonly WriteOp[]): Promise<void> {
    if (!touchesKept(ops)) return this.inner.write(ops);
    // Before (no read from now on joins one kept from before) and after (nor one made meanwhile).
    this.forget();
    try {
      await this.inner.write(ops);
    } finally {
      this.forget();
    }
  }
}
