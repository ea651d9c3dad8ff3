/**
 * The one storage interface every part of Disco writes through (device app, service worker, tests).
 * It is deliberately small: read one record, list a collection, and apply a batch of writes
 * atomically. A batch either lands whole or not at all, so nothing is ever half-written.
 *
 * Values must be structured-cloneable (plain data, Uint8Array, CryptoKey).
 */
export interface StoreRecord<T = unknown> {
  readonly collection: string;
  readonly key: string;
  readonly value: T;
}

export type WriteOp =
  /** Insert or replace. */
  | {
      readonly op: 'put';
      readonly collection: string;
      readonly key: string;
      readonly value: unknown;
    }
  /** Insert; the whole batch fails with `ERR_STORE_CONFLICT` when the key exists (replay guards). */
  | {
      readonly op: 'add';
      readonly collection: string;
      readonly key: string;
      readonly value: unknown;
    }
  /** Remove; removing a missing key is not an error. */
  | { readonly op: 'delete'; readonly collection: string; readonly key: string }
  /**
   * A precondition, checked inside the batch's transaction (compare-and-set): the whole batch
   * fails with `ERR_STORE_CONFLICT` unless the record exists now (after the batch's earlier ops)
   * and each property in `where` is `===` to its value in the stored record. Writes nothing.
   * How "hand over once" and "decide once" stay true when two requests race (issue #12, 6).
   */
  | {
      readonly op: 'expect';
      readonly collection: string;
      readonly key: string;
      readonly where?: Readonly<Record<string, string | number | boolean>>;
    };

/** Does `stored` satisfy an `expect` op? Shared by every Store implementation. */
export function meetsExpectation(
  stored: unknown,
  where: Readonly<Record<string, string | number | boolean>> = {},
): boolean {
  if (stored === undefined || stored === null) return false;
  const record = stored as Record<string, unknown>;
  return Object.entries(where).every(([field, value]) => record[field] === value);
}

export interface Store {
  get<T>(collection: string, key: string): Promise<T | undefined>;
  /** Every record of one collection, ordered by key. */
  list<T>(collection: string): Promise<Array<StoreRecord<T>>>;
  /** Every record of every collection (backup, restore). */
  listAll(): Promise<StoreRecord[]>;
  /** Applies all ops in one transaction, in order. */
  write(ops: readonly WriteOp[]): Promise<void>;
}

const NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** Collection names are fixed identifiers; keys are non-empty strings of bounded length. */
export function checkAddress(collection: string, key: string): void {
  if (!NAME.test(collection)) throw new TypeError(`bad collection name: ${collection}`);
  if (typeof key !== 'string' || key.length === 0 || key.length > 512) {
    throw new TypeError('store keys are strings of 1 to 512 characters');
  }
}
