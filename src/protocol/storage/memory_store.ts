import { DiscoError } from '../errors/index.js';
import {
  checkAddress,
  meetsExpectation,
  type Store,
  type StoreRecord,
  type WriteOp,
} from './store.js';

/** Marks a record the batch removes (a stored value is never this symbol). */
const DELETED: unique symbol = Symbol('deleted');

/**
 * In-memory Store. Values are structured-cloned on the way in and out, as IndexedDB does, so a
 * caller can never change a stored record by mutating an object it holds.
 */
export class MemoryStore implements Store {
  readonly #data = new Map<string, Map<string, unknown>>();

  // eslint-disable-next-line @typescript-eslint/require-await -- async so bad input rejects
  async get<T>(collection: string, key: string): Promise<T | undefined> {
    checkAddress(collection, key);
    const value = this.#data.get(collection)?.get(key);
    return value === undefined ? undefined : (structuredClone(value) as T);
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async so bad input rejects
  async list<T>(collection: string): Promise<Array<StoreRecord<T>>> {
    checkAddress(collection, '-');
    const entries = [...(this.#data.get(collection) ?? new Map<string, unknown>()).entries()];
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return entries.map(([key, value]) => ({ collection, key, value: structuredClone(value) as T }));
  }

  async listAll(): Promise<StoreRecord[]> {
    const names = [...this.#data.keys()].sort();
    const lists = await Promise.all(names.map((name) => this.list(name)));
    return lists.flat();
  }

  write(ops: readonly WriteOp[]): Promise<void> {
    // Stage the batch's records (collection → key → value, DELETED for a removal) over the stored
    // ones, then apply them: all or nothing. Only the touched records are staged, not their
    // collections: copying a whole collection made every write grow with it (issue #13).
    const staged = new Map<string, Map<string, unknown>>();
    const has = (collection: string, key: string): boolean => {
      const map = staged.get(collection);
      return map?.has(key) ? map.get(key) !== DELETED : !!this.#data.get(collection)?.has(key);
    };
    const read = (collection: string, key: string): unknown => {
      const map = staged.get(collection);
      const value = map?.has(key) ? map.get(key) : this.#data.get(collection)?.get(key);
      return value === DELETED ? undefined : value;
    };
    const stage = (collection: string, key: string, value: unknown): void => {
      let map = staged.get(collection);
      if (!map) staged.set(collection, (map = new Map<string, unknown>()));
      map.set(key, value);
    };
    try {
      for (const op of ops) {
        checkAddress(op.collection, op.key);
        if (op.op === 'delete') stage(op.collection, op.key, DELETED);
        else if (op.op === 'expect') {
          if (!meetsExpectation(read(op.collection, op.key), op.where))
            throw new DiscoError('ERR_STORE_CONFLICT', `${op.collection}/${op.key} changed`);
        } else if (op.op === 'add' && has(op.collection, op.key)) {
          throw new DiscoError('ERR_STORE_CONFLICT', `${op.collection}/${op.key} already exists`);
        } else stage(op.collection, op.key, structuredClone(op.value));
      }
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    for (const [collection, changes] of staged) {
      let map = this.#data.get(collection);
      if (!map) this.#data.set(collection, (map = new Map<string, unknown>()));
      for (const [key, value] of changes) {
        if (value === DELETED) map.delete(key);
        else map.set(key, value);
      }
      if (map.size === 0) this.#data.delete(collection);
    }
    return Promise.resolve();
  }
}
