import {
  compareCachedLists,
  type CacheDecision,
  type CachedRevocationList,
} from '../../protocol/certificates/index.js';
import type { Clock } from '../../protocol/encoding/index.js';
import { DiscoError } from '../../protocol/errors/index.js';

/**
 * How long the relay remembers a device's list after it last changed: the sequence number must
 * outlive any copy an attacker could replay, and a month costs at most 40 KB a device.
 */
export const REVOCATION_KEEP_MS = 30 * 24 * 3600 * 1000;

/**
 * The relay's cache of revocation lists, one per device peer id (docs/wire/certificates.md "The relay's
 * cache of lists"). `offer` is one compare-and-set with the rule of `compareCachedLists`, so two
 * publications racing cannot move a list backwards. Memory for one process, Redis for a cluster
 * (issue #14); both pass src/testing/revocation_store_contract.ts.
 */
export interface RevocationStore {
  /** The cached list of `peerId`, or undefined. */
  get(peerId: string): Promise<CachedRevocationList | undefined>;
  /** Stores `entry` when it moves the list forward; says what it did. */
  offer(peerId: string, entry: CachedRevocationList): Promise<CacheDecision>;
  close(): Promise<void>;
}

/** One process's cache: a Map in insertion order, so the oldest write goes first when full. */
export class MemoryRevocationStore implements RevocationStore {
  readonly #entries = new Map<string, { entry: CachedRevocationList; until: number }>();
  readonly #clock: Clock;
  readonly #max: number;
  readonly #keepMs: number;

  constructor(o: { clock: Clock; maxEntries?: number; keepMs?: number }) {
    this.#clock = o.clock;
    this.#max = o.maxEntries ?? 100_000;
    this.#keepMs = o.keepMs ?? REVOCATION_KEEP_MS;
  }

  get(peerId: string): Promise<CachedRevocationList | undefined> {
    return Promise.resolve(this.#live(peerId));
  }

  /** Synchronous from read to write, so racing offers cannot interleave. */
  offer(peerId: string, entry: CachedRevocationList): Promise<CacheDecision> {
    return Promise.resolve(this.#offer(peerId, entry));
  }

  #live(peerId: string): CachedRevocationList | undefined {
    const held = this.#entries.get(peerId);
    if (held && held.until <= this.#clock.now()) this.#entries.delete(peerId);
    return held && held.until > this.#clock.now() ? held.entry : undefined;
  }

  #offer(peerId: string, entry: CachedRevocationList): CacheDecision {
    const decision = compareCachedLists(this.#live(peerId), entry);
    if (decision !== 'store') return decision;
    this.#entries.delete(peerId);
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(peerId, { entry, until: this.#clock.now() + this.#keepMs });
    return decision;
  }

  close(): Promise<void> {
    this.#entries.clear();
    return Promise.resolve();
  }
}

/** A cache entry read back from a store: exactly the four fields, or nothing. */
export function entryOfJson(text: string | null | undefined): CachedRevocationList | undefined {
  if (!text) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new DiscoError('ERR_INTERNAL', 'revocation cache: unreadable entry');
  }
  const e = v as Partial<CachedRevocationList> | null;
  if (
    !e ||
    !Number.isSafeInteger(e.sequence) ||
    !Number.isSafeInteger(e.issuedAt) ||
    typeof e.ids !== 'string' ||
    typeof e.list !== 'string'
  ) {
    throw new DiscoError('ERR_INTERNAL', 'revocation cache: unreadable entry');
  }
  return { sequence: e.sequence!, issuedAt: e.issuedAt!, ids: e.ids, list: e.list };
}
