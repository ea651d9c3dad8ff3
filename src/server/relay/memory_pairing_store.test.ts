import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryPairingStore } from './memory_pairing_store.js';
import type { PairedDevice, PairingRecord } from './pairing_store.js';
import { fakeClock } from './testing.js';
import { pairingStoreContract } from '../../testing/pairing_store_contract.js';

const record = (uid: string, now: number): PairingRecord => ({
  uid,
  certificatePem: 'PEM',
  thumbprint: 'x5t',
  challenge: 'c',
  callback: null,
  waitToken: 't',
  createdAt: now,
  expiresAt: now + 1000,
  device: null,
});
const device = (uid: string): PairedDevice => ({
  uid,
  device_id: 'd',
  peer_id: 'p',
  public_key: { kty: 'OKP' },
  proxy_url: 'u',
});

afterEach(() => {
  vi.useRealTimers();
});

describe('MemoryPairingStore', () => {
  it('creates once per uid and pairs exactly once, even when raced', async () => {
    const clock = fakeClock(0);
    const store = new MemoryPairingStore({ clock });
    expect(await store.create(record('A', 0))).toBe(true);
    expect(await store.create(record('A', 0))).toBe(false);
    const outcomes = await Promise.all([1, 2, 3].map(() => store.pair('A', device('A'), 0)));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok && o.reason === 'used')).toHaveLength(2);
    expect(await store.pair('B', device('B'), 0)).toEqual({ ok: false, reason: 'unknown' });
    await store.close();
  });

  it('forgets records at expiry, but keeps a paired one for the RP a while', async () => {
    const clock = fakeClock(0);
    const store = new MemoryPairingStore({ clock });
    await store.create(record('A', 0));
    await store.create(record('B', 0));
    clock.advance(900);
    await store.pair('B', device('B'), 500);
    clock.advance(100);
    expect(await store.get('A')).toBeUndefined();
    expect(await store.pair('A', device('A'), 0)).toEqual({ ok: false, reason: 'unknown' });
    expect((await store.get('B'))?.device).toEqual(device('B'));
    expect(await store.size()).toBe(1);
    clock.advance(400);
    expect(await store.get('B')).toBeUndefined();
    await store.close();
  });

  it('wakes waiters on pairing, and releases them on abort and close', async () => {
    const clock = fakeClock(0);
    const store = new MemoryPairingStore({ clock });
    await store.create(record('A', 0));
    await store.create(record('B', 0));
    const waiting = store.waitForDevice('A', new AbortController().signal);
    await store.pair('A', device('A'), 0);
    expect(await waiting).toEqual(device('A'));
    expect(await store.waitForDevice('A', new AbortController().signal)).toEqual(device('A'));
    const abort = new AbortController();
    const aborted = store.waitForDevice('B', abort.signal);
    abort.abort();
    expect(await aborted).toBeNull();
    const closed = store.waitForDevice('B', new AbortController().signal);
    await store.close();
    expect(await closed).toBeNull();
    expect(await store.waitForDevice('nope', new AbortController().signal)).toBeNull();
  });

  it('answers a waiter within the pairing itself, with no timer running (pushed, not polled)', async () => {
    // Issue #16: the relay's wait answers as soon as the device pairs. With timers frozen, a
    // store that looked again at an interval would never see the pairing.
    vi.useFakeTimers();
    const store = new MemoryPairingStore({ clock: fakeClock(0) });
    await store.create(record('A', 0));
    let answered: PairedDevice | null | undefined;
    void store.waitForDevice('A', new AbortController().signal).then((d) => (answered = d));
    await Promise.resolve();
    expect(answered).toBeUndefined();
    await store.pair('A', device('A'), 0);
    for (let i = 0; i < 3; i++) await Promise.resolve();
    expect(answered).toEqual(device('A'));
    expect(vi.getTimerCount()).toBe(1); // the expiry sweep only
    await store.close();
  });

  it('refuses new records when full', async () => {
    const store = new MemoryPairingStore({ clock: fakeClock(0), maxRecords: 1 });
    await store.create(record('A', 0));
    await expect(store.create(record('B', 0))).rejects.toMatchObject({
      code: 'ERR_RELAY_BUSY',
    });
    await store.close();
  });
});

pairingStoreContract('memory', () => {
  const store = new MemoryPairingStore({ clock: { now: () => Date.now() }, sweepMs: 100 });
  return Promise.resolve({ store, close: () => store.close() });
});
