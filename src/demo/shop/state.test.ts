import { afterEach, describe, expect, it, vi } from 'vitest';
import { ShopSession } from './state.js';

describe('ShopSession.changedSince (the held GET /api/state?since=)', () => {
  afterEach(() => vi.useRealTimers());

  it('answers at once when the page is behind, and on the next change otherwise', async () => {
    const s = new ShopSession();
    const never = new AbortController().signal;
    s.step = 'pairing';
    const v = s.version;
    expect(v).toBeGreaterThan(0);
    await s.changedSince(v - 1, 60_000, never); // behind: does not wait

    let woke = false;
    const held = s.changedSince(v, 60_000, never).then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    s.step = 'registering';
    await held;
    expect(s.version).toBe(v + 1);
  });

  it("sees a delivery's progress change (the delivery is replaced, not edited)", async () => {
    const s = new ShopSession();
    s.delivery = { id: 'd1', courierUrl: 'http://127.0.0.1:1', progress: 'waiting' };
    const v = s.version;
    const held = s.changedSince(v, 60_000, new AbortController().signal);
    s.delivery = { ...s.delivery, progress: 'ready' };
    await held;
    expect(s.version).toBe(v + 1);
    expect(s.delivery.progress).toBe('ready');
  });

  it('ends when the page goes away or the hold runs out, and keeps no waiter', async () => {
    vi.useFakeTimers();
    const s = new ShopSession();
    const gone = new AbortController();
    const a = s.changedSince(s.version, 25_000, gone.signal);
    gone.abort();
    await a;
    const b = s.changedSince(s.version, 25_000, new AbortController().signal);
    await vi.advanceTimersByTimeAsync(25_000);
    await b;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('holds at most 8 requests per session; more are answered at once', async () => {
    const s = new ShopSession();
    const never = new AbortController().signal;
    const held = Array.from({ length: 8 }, () => s.changedSince(s.version, 60_000, never));
    let ninth = false;
    await s.changedSince(s.version, 60_000, never).then(() => (ninth = true));
    expect(ninth).toBe(true);
    s.problem = undefined; // any change wakes the eight
    await Promise.all(held);
  });
});
