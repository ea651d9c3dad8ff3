/**
 * The `_acme-challenge` TXT records (RFC 8555 §8.4), in memory: set and removed only through the
 * authenticated dns-01 endpoint, and dropped by themselves after `lifetimeMs` so an issue server
 * that died mid-order leaves nothing behind. Bounded: a name holds at most MAX_VALUES values
 * (a wildcard and its base name need two), the store at most `maxNames` names.
 */
export const MAX_VALUES = 4;

export interface ChallengeStore {
  /** False when the store or the name is full. */
  set(name: string, value: string): boolean;
  remove(name: string, value: string): void;
  values(name: string): string[];
}

export function createChallengeStore(
  options: { lifetimeMs?: number; maxNames?: number; now?: () => number } = {},
): ChallengeStore {
  const lifetime = options.lifetimeMs ?? 10 * 60_000;
  const maxNames = options.maxNames ?? 10_000;
  const now = options.now ?? Date.now;
  const records = new Map<string, Map<string, number>>();

  const live = (name: string): Map<string, number> | undefined => {
    const entry = records.get(name);
    if (!entry) return undefined;
    const t = now();
    for (const [value, expires] of entry) if (expires <= t) entry.delete(value);
    if (entry.size === 0) records.delete(name);
    return entry.size === 0 ? undefined : entry;
  };

  return {
    set(name, value) {
      const entry = live(name);
      if (!entry && records.size >= maxNames) {
        for (const key of [...records.keys()]) live(key); // sweep expired names, then retry
        if (records.size >= maxNames) return false;
      }
      const values = entry ?? new Map<string, number>();
      if (!values.has(value) && values.size >= MAX_VALUES) return false;
      values.set(value, now() + lifetime);
      records.set(name, values);
      return true;
    },
    remove(name, value) {
      const entry = records.get(name);
      entry?.delete(value);
      if (entry?.size === 0) records.delete(name);
    },
    values(name) {
      return [...(live(name)?.keys() ?? [])];
    },
  };
}
