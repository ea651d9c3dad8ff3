import type { RelayRecord } from '../../../protocol/nodetrust/index.js';

/**
 * The relays' signed discovery records the DNS server answers at `_disco-relay.p<peer>.<zone>`
 * (protocol/nodetrust/relay_record.ts), in memory, one per relay: a record replaces the stored
 * one only when it was issued no earlier (an old record replayed cannot roll a relay back), and
 * vanishes at its expiry. Bounded like the challenge store.
 */
export interface RelayRecordStore {
  /** 'stale' when a record issued later is stored, 'full' when the store is. */
  put(target: string, token: string, record: RelayRecord): 'stored' | 'stale' | 'full';
  /** The token at `target` (the `p<peer>.<zone>` name), unless expired. */
  get(target: string): string | undefined;
}

export function createRelayRecordStore(
  options: { maxRecords?: number; now?: () => number } = {},
): RelayRecordStore {
  const maxRecords = options.maxRecords ?? 10_000;
  const now = options.now ?? Date.now;
  const records = new Map<string, { token: string; issuedAt: number; expiresMs: number }>();
  const live = (target: string) => {
    const entry = records.get(target);
    if (entry && entry.expiresMs <= now()) records.delete(target);
    return records.get(target);
  };
  return {
    put(target, token, record) {
      const current = live(target);
      // same second: the later arrival wins (both were signed by the relay that second)
      if (current && current.issuedAt > record.issuedAt) return 'stale';
      if (!current && records.size >= maxRecords) {
        for (const key of [...records.keys()]) live(key);
        if (records.size >= maxRecords) return 'full';
      }
      records.set(target, { token, issuedAt: record.issuedAt, expiresMs: record.expiresAt * 1000 });
      return 'stored';
    },
    get: (target) => live(target)?.token,
  };
}
