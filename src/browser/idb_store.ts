import { openDB, type IDBPDatabase } from 'idb';
import { DiscoError } from '../protocol/errors/index.js';
import {
  checkAddress,
  meetsExpectation,
  type Store,
  type StoreRecord,
  type WriteOp,
} from '../protocol/storage/store.js';
import { announceStoreChange, touchesKept } from './store_changes.js';

/**
 * IndexedDB Store shared by the page and the service worker. One object store holds every
 * collection under the compound key [collection, key], so later features add collections without
 * a schema upgrade, and a batch spanning collections is still one IndexedDB transaction.
 */
const RECORDS = 'records';
type Key = [string, string];

export class IdbStore implements Store {
  private constructor(
    private readonly db: IDBPDatabase,
    /** The database's name: writes to kept records are announced under it. */
    readonly name: string,
  ) {}

  static async open(name = 'disco'): Promise<IdbStore> {
    const db = await openDB(name, 1, {
      upgrade(database) {
        database.createObjectStore(RECORDS);
      },
    });
    return new IdbStore(db, name);
  }

  async get<T>(collection: string, key: string): Promise<T | undefined> {
    checkAddress(collection, key);
    return (await this.db.get(RECORDS, [collection, key])) as T | undefined;
  }

  async list<T>(collection: string): Promise<Array<StoreRecord<T>>> {
    checkAddress(collection, '-');
    // Arrays sort after strings in IndexedDB key order, so [c, []] bounds every [c, string].
    const range = IDBKeyRange.bound([collection], [collection, []]);
    const tx = this.db.transaction(RECORDS, 'readonly');
    const [keys, values] = await Promise.all([
      tx.store.getAllKeys(range),
      tx.store.getAll(range),
      tx.done,
    ]);
    return keys.map((k, i) => ({ collection, key: (k as Key)[1], value: values[i] as T }));
  }

  async listAll(): Promise<StoreRecord[]> {
    const tx = this.db.transaction(RECORDS, 'readonly');
    const [keys, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll(), tx.done]);
    return keys.map((k, i) => {
      const [collection, key] = k as Key;
      return { collection, key, value: values[i] as unknown };
    });
  }

  async write(ops: readonly WriteOp[]): Promise<void> {
    for (const op of ops) checkAddress(op.collection, op.key);
    const tx = this.db.transaction(RECORDS, 'readwrite');
    let conflict: WriteOp | undefined;
    try {
      await Promise.all([
        ...ops.map(async (op) => {
          const key: Key = [op.collection, op.key];
          if (op.op === 'delete') return tx.store.delete(key);
          if (op.op === 'put') return tx.store.put(op.value, key);
          if (op.op === 'expect') {
            // Requests of one transaction run in order, and IndexedDB runs read-write
            // transactions on the same store one at a time: this read sees the batch's earlier
            // ops and nothing of a concurrent batch. A miss aborts everything.
            if (meetsExpectation(await tx.store.get(key), op.where)) return;
            conflict ??= op;
            tx.abort();
            throw new DiscoError('ERR_STORE_CONFLICT', `${op.collection}/${op.key} changed`);
          }
          try {
            return await tx.store.add(op.value, key);
          } catch (err) {
            if ((err as DOMException).name === 'ConstraintError') conflict ??= op;
            throw err;
          }
        }),
        tx.done,
      ]);
    } catch (err) {
      // A failed request aborts the whole transaction: nothing of the batch is kept.
      if (conflict) {
        throw new DiscoError(
          'ERR_STORE_CONFLICT',
          `${conflict.collection}/${conflict.key} ${conflict.op === 'expect' ? 'changed' : 'already exists'}`,
        );
      }
      throw new DiscoError('ERR_STORE_FAILED', 'the device storage refused the write', {
        cause: err,
      });
    }
    // Committed: a context that keeps these records in memory (the service worker) reads again.
    if (touchesKept(ops)) announceStoreChange(this.name);
  }

  close(): void {
    this.db.close();
  }
}
