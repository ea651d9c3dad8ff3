import { describe, expect, it } from 'vitest';
import type { PairedDevice, PairingRecord, PairingStore } from '../server/relay/pairing_store.js';

/**
 * The contract every PairingStore passes (memory, Redis): node-oidc-provider's adapter-test idea.
 * Expiry runs on real time with short lifetimes, since Redis keeps time by its own clock: `make`
 * returns a fresh, empty store whose clock is `Date.now`, and a `close`.
 */
export function pairingStoreContract(
  name: string,
  make: () => Promise<{ store: PairingStore; close: () => Promise<void> }>,
): void {
  const record = (uid: string, lifetimeMs = 60_000): PairingRecord => ({
    uid,
    certificatePem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
    thumbprint: 'x5t',
    challenge: 'c',
    callback: null,
    waitToken: 't',
    createdAt: Date.now(),
    expiresAt: Date.now() + lifetimeMs,
    device: null,
  });
  const device = (uid: string): PairedDevice => ({
    uid,
    device_id: `device-of-${uid}`,
    peer_id: 'p',
    public_key: { kty: 'OKP', crv: 'Ed25519', x: 'AAAA' },
    proxy_url: 'https://relay.example/p/x/',
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const uid = () => Math.random().toString(36).slice(2, 10).toUpperCase().padEnd(8, '0');

  describe(`PairingStore contract: ${name}`, () => {
    it('creates once per uid and reads back exactly what it stored', async () => {
      const { store, close } = await make();
      try {
        const u = uid();
        const r = record(u);
        expect(await store.create(r)).toBe(true);
        expect(await store.create(record(u))).toBe(false);
        expect(await store.get(u)).toEqual(r);
        expect(await store.get(uid())).toBeUndefined();
      } finally {
        await close();
      }
    });

    it('pairs exactly once, even when ten devices race for one uid', async () => {
      const { store, close } = await make();
      try {
        const u = uid();
        await store.create(record(u));
        const outcomes = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.pair(u, { ...device(u), peer_id: `p${i}` }, 0),
          ),
        );
        const won = outcomes.filter((o) => o.ok);
        expect(won).toHaveLength(1);
        expect(outcomes.filter((o) => !o.ok && o.reason === 'used')).toHaveLength(9);
        expect((await store.get(u))?.device).toEqual(won[0]!.ok && won[0]!.record.device);
        expect(await store.pair(uid(), device('X'), 0)).toEqual({ ok: false, reason: 'unknown' });
      } finally {
        await close();
      }
    });

    it('forgets a record at its expiry, but keeps a paired one keepMs longer for the RP', async () => {
      const { store, close } = await make();
      try {
        const a = uid();
        const b = uid();
        await store.create(record(a, 300));
        await store.create(record(b, 300));
        await store.pair(b, device(b), 900);
        await sleep(450);
        expect(await store.get(a)).toBeUndefined();
        expect(await store.pair(a, device(a), 0)).toEqual({ ok: false, reason: 'unknown' });
        expect((await store.get(b))?.device).toEqual(device(b));
        await sleep(700);
        expect(await store.get(b)).toBeUndefined();
      } finally {
        await close();
      }
    });

    it('wakes a waiter when the uid is paired, and answers at once once paired', async () => {
      const { store, close } = await make();
      try {
        const u = uid();
        await store.create(record(u));
        const waiting = store.waitForDevice(u, new AbortController().signal);
        await sleep(50);
        await store.pair(u, device(u), 0);
        expect(await waiting).toEqual(device(u));
        expect(await store.waitForDevice(u, new AbortController().signal)).toEqual(device(u));
      } finally {
        await close();
      }
    });

    it('releases waiters with null on abort, on expiry, for unknown uids and on close', async () => {
      const { store, close } = await make();
      const u = uid();
      const short = uid();
      await store.create(record(u));
      await store.create(record(short, 200));
      const abort = new AbortController();
      const aborted = store.waitForDevice(u, abort.signal);
      abort.abort();
      expect(await aborted).toBeNull();
      expect(await store.waitForDevice(short, new AbortController().signal)).toBeNull();
      expect(await store.waitForDevice(uid(), new AbortController().signal)).toBeNull();
      const closed = store.waitForDevice(u, new AbortController().signal);
      await sleep(50);
      await close();
      expect(await closed).toBeNull();
    });

    it('counts live records', async () => {
      const { store, close } = await make();
      try {
        await store.create(record(uid()));
        await store.create(record(uid()));
        expect(await store.size()).toBe(2);
      } finally {
        await close();
      }
    });
  });
}
