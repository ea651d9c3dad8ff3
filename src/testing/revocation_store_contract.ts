import { describe, expect, it } from 'vitest';
import type { CachedRevocationList } from '../protocol/certificates/index.js';
import type { RevocationStore } from '../server/relay/revocation_store.js';

/**
 * The contract every relay RevocationStore passes (memory, Redis): the rule of
 * `compareCachedLists`, atomic under racing offers, and one device's list never another's.
 * `make` returns a fresh, empty store and a `close`.
 */
export function revocationStoreContract(
  name: string,
  make: () => Promise<{ store: RevocationStore; close: () => Promise<void> }>,
): void {
  const peer = () =>
    `disco-${Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
      b.toString(16).padStart(2, '0'),
    ).join('')}`;
  // sequences and times past 2^47 check that no store rounds them (cjson prints 14 digits)
  const BIG = 2 ** 52 + 1;
  const entry = (sequence: number, issuedAt: number, ids = 'A'): CachedRevocationList => ({
    sequence,
    issuedAt,
    ids,
    list: `list-${sequence}-${issuedAt}-${ids}`,
  });

  describe(`RevocationStore contract: ${name}`, () => {
    it('stores a first list and reads back exactly it', async () => {
      const { store, close } = await make();
      try {
        const p = peer();
        expect(await store.get(p)).toBeUndefined();
        expect(await store.offer(p, entry(BIG, BIG - 7))).toBe('store');
        expect(await store.get(p)).toEqual(entry(BIG, BIG - 7));
        expect(await store.get(peer())).toBeUndefined();
      } finally {
        await close();
      }
    });

    it('moves forward only: higher sequence, later re-signature; refuses rollback and conflict', async () => {
      const { store, close } = await make();
      try {
        const p = peer();
        await store.offer(p, entry(2, 100));
        expect(await store.offer(p, entry(1, 500))).toBe('rollback');
        expect(await store.offer(p, entry(2, 200, 'B'))).toBe('conflict');
        expect(await store.offer(p, entry(2, 100))).toBe('keep');
        expect(await store.offer(p, entry(2, 99))).toBe('keep');
        expect(await store.get(p)).toEqual(entry(2, 100));
        expect(await store.offer(p, entry(2, 150))).toBe('store');
        expect(await store.get(p)).toEqual(entry(2, 150));
        expect(await store.offer(p, entry(3, 120, 'C'))).toBe('store');
        expect(await store.get(p)).toEqual(entry(3, 120, 'C'));
      } finally {
        await close();
      }
    });

    it('keeps the highest of racing offers', async () => {
      const { store, close } = await make();
      try {
        const p = peer();
        const offers = [5, 3, 9, 1, 7, 9, 2].map((n) => store.offer(p, entry(n, 10, `ids${n}`)));
        const outcomes = await Promise.all(offers);
        expect(outcomes).toContain('store');
        expect(await store.get(p)).toEqual(entry(9, 10, 'ids9'));
      } finally {
        await close();
      }
    });
  });
}
