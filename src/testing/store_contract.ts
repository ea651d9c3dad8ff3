import { describe, expect, it } from 'vitest';
import type { Store } from '../protocol/storage/store.js';
import { isDiscoError } from '../protocol/errors/index.js';

/**
 * The contract every Store implementation passes (memory and IndexedDB), in the spirit of
 * node-oidc-provider's adapter test. `make` returns a fresh, empty store.
 */
export function storeContract(name: string, make: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    it('returns undefined for a missing record', async () => {
      const store = await make();
      expect(await store.get('vault', 'name')).toBeUndefined();
      expect(await store.list('vault')).toEqual([]);
    });

    it('puts, gets, replaces and deletes', async () => {
      const store = await make();
      await store.write([{ op: 'put', collection: 'vault', key: 'name', value: { v: 'Ada' } }]);
      expect(await store.get('vault', 'name')).toEqual({ v: 'Ada' });
      await store.write([{ op: 'put', collection: 'vault', key: 'name', value: { v: 'Grace' } }]);
      expect(await store.get('vault', 'name')).toEqual({ v: 'Grace' });
      await store.write([{ op: 'delete', collection: 'vault', key: 'name' }]);
      expect(await store.get('vault', 'name')).toBeUndefined();
      await store.write([{ op: 'delete', collection: 'vault', key: 'name' }]);
    });

    it('lists one collection in key order, and nothing of its neighbours', async () => {
      const store = await make();
      await store.write([
        { op: 'put', collection: 'vault', key: 'b', value: 2 },
        { op: 'put', collection: 'vault', key: 'a', value: 1 },
        { op: 'put', collection: 'vaults', key: 'x', value: 0 },
        { op: 'put', collection: 'vaul', key: 'y', value: 0 },
      ]);
      expect(await store.list('vault')).toEqual([
        { collection: 'vault', key: 'a', value: 1 },
        { collection: 'vault', key: 'b', value: 2 },
      ]);
      const all = await store.listAll();
      expect(all.map((r) => `${r.collection}/${r.key}`).sort()).toEqual([
        'vaul/y',
        'vault/a',
        'vault/b',
        'vaults/x',
      ]);
    });

    it('keeps binary values and hands out copies', async () => {
      const store = await make();
      const value = { bytes: new Uint8Array([1, 2, 3]), nested: { n: 1 } };
      await store.write([{ op: 'put', collection: 'meta', key: 'k', value }]);
      value.nested.n = 99;
      const got = await store.get<typeof value>('meta', 'k');
      expect(got?.nested.n).toBe(1);
      expect([...(got?.bytes ?? [])]).toEqual([1, 2, 3]);
      if (got) got.nested.n = 42;
      expect((await store.get<typeof value>('meta', 'k'))?.nested.n).toBe(1);
    });

    it('keeps a non-extractable CryptoKey usable', async () => {
      const store = await make();
      const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
      await store.write([{ op: 'put', collection: 'keys', key: 'k', value: pair.privateKey }]);
      const key = await store.get<CryptoKey>('keys', 'k');
      expect(key?.extractable).toBe(false);
      const sig = await crypto.subtle.sign('Ed25519', key!, new Uint8Array([1]));
      expect(await crypto.subtle.verify('Ed25519', pair.publicKey, sig, new Uint8Array([1]))).toBe(
        true,
      );
    });

    it('add refuses an existing key and the whole batch is rolled back', async () => {
      const store = await make();
      await store.write([{ op: 'add', collection: 'jti', key: 'j1', value: 1 }]);
      const err: unknown = await store
        .write([
          { op: 'put', collection: 'vault', key: 'name', value: 'half' },
          { op: 'delete', collection: 'jti', key: 'j1' },
          { op: 'add', collection: 'jti', key: 'j2', value: 2 },
          { op: 'add', collection: 'jti', key: 'j2', value: 3 },
        ])
        .catch((e: unknown) => e);
      expect(isDiscoError(err, 'ERR_STORE_CONFLICT')).toBe(true);
      expect(await store.get('vault', 'name')).toBeUndefined();
      expect(await store.get('jti', 'j1')).toBe(1);
      expect(await store.get('jti', 'j2')).toBeUndefined();
    });

    it('rejects malformed addresses without writing', async () => {
      const store = await make();
      await expect(
        store.write([
          { op: 'put', collection: 'vault', key: 'ok', value: 1 },
          { op: 'put', collection: 'Bad Name', key: 'x', value: 1 },
        ]),
      ).rejects.toThrow(TypeError);
      await expect(store.get('vault', '')).rejects.toThrow(TypeError);
      expect(await store.get('vault', 'ok')).toBeUndefined();
    });

    it('expect: the batch lands only when the record exists and matches', async () => {
      const store = await make();
      await store.write([
        { op: 'put', collection: 'pending', key: 'p', value: { status: 'a', n: 1 } },
      ]);
      await store.write([
        { op: 'expect', collection: 'pending', key: 'p', where: { status: 'a', n: 1 } },
        { op: 'put', collection: 'pending', key: 'p', value: { status: 'b', n: 1 } },
      ]);
      expect(await store.get('pending', 'p')).toEqual({ status: 'b', n: 1 });
      for (const bad of [
        { op: 'expect', collection: 'pending', key: 'p', where: { status: 'a' } },
        { op: 'expect', collection: 'pending', key: 'missing' },
        { op: 'expect', collection: 'pending', key: 'p', where: { n: '1' } },
      ] as const) {
        // the failing precondition comes last: the writes before it are rolled back too
        const err: unknown = await store
          .write([
            { op: 'put', collection: 'vault', key: 'half', value: 1 },
            { op: 'delete', collection: 'pending', key: 'p' },
            { op: 'put', collection: 'pending', key: 'p', value: { status: 'b', n: 1 } },
            bad,
          ])
          .catch((e: unknown) => e);
        expect(isDiscoError(err, 'ERR_STORE_CONFLICT'), JSON.stringify(bad)).toBe(true);
        expect(await store.get('vault', 'half')).toBeUndefined();
        expect(await store.get('pending', 'p')).toEqual({ status: 'b', n: 1 });
      }
      // it sees the batch's own earlier ops
      await store.write([
        { op: 'put', collection: 'pending', key: 'q', value: { status: 'new' } },
        { op: 'expect', collection: 'pending', key: 'q', where: { status: 'new' } },
      ]);
      expect(await store.get('pending', 'q')).toEqual({ status: 'new' });
    });

    it('expect + delete: of two racing batches exactly one takes the record', async () => {
      const store = await make();
      await store.write([
        { op: 'put', collection: 'pending', key: 'p', value: { status: 'done' } },
      ]);
      const take = (who: string) =>
        store
          .write([
            { op: 'expect', collection: 'pending', key: 'p', where: { status: 'done' } },
            { op: 'delete', collection: 'pending', key: 'p' },
            { op: 'put', collection: 'taken', key: who, value: true },
          ])
          .then(
            () => 'took',
            (e: unknown) => (isDiscoError(e, 'ERR_STORE_CONFLICT') ? 'conflict' : String(e)),
          );
      const results = await Promise.all([take('a'), take('b'), take('c')]);
      expect(results.filter((r) => r === 'took')).toHaveLength(1);
      expect(results.filter((r) => r === 'conflict')).toHaveLength(2);
      expect(await store.list('taken')).toHaveLength(1);
    });

    it('applies ops in order within one batch', async () => {
      const store = await make();
      await store.write([
        { op: 'put', collection: 'vault', key: 'k', value: 1 },
        { op: 'delete', collection: 'vault', key: 'k' },
        { op: 'add', collection: 'vault', key: 'k', value: 3 },
      ]);
      expect(await store.get('vault', 'k')).toBe(3);
    });
  });
}
