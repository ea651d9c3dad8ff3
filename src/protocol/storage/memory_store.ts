import { DiscoError } from '../errors/index.js';
import {
  checkAddress,
  meetsExpectation,
  type Store,
  type StoreRecord,
  type WriteOp,
} from './store.js';

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
    // Stage on copies of the touched collections, then swap them in: all or nothing.
    const staged = new Map<string, Map<string, unknown>>();
    const stage = (collection: string): Map<string, unknown> => {
      let map = staged.get(collection);
      if (!map) {
        map = new Map(this.#data.get(collection));
        staged.set(collection, map);
      }
      return map;
    };
    try {
      for (const op of ops) {
        checkAddress(op.collection, op.key);
        const map = stage(op.collection);
        if (op.op === 'delete') map.delete(op.key);
        else if (op.op === 'expect') {
          if (!meetsExpectation(map.get(op.key), op.where))
            throw new DiscoError('ERR_STORE_CONFLICT', `${op.collection}/${op.key} changed`);
        } else if (op.op === 'add' && map.has(op.key)) {
          throw new DiscoError('ERR_STORE_CONFLICT', `${op.collection}/${op.key} already exists`);
        } else map.set(op.key, structuredClone(op.value));
      }
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    for (const [collection, map] of staged) {
      if (map.size === 0) this.#data.delete(collection);
      else this.#data.set(collection, map);
    }
    return Promise.resolve();
  }
}
