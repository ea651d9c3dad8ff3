import { describe, expect, it } from 'vitest';
import { DiscoError, toWire } from '../protocol/errors/index.js';
import { makeDevice } from '../testing/engine_harness.js';
import { codeOf } from '../testing/code_of.js';
import { COLLECTIONS, type PendingRecord } from '../protocol/auth/records.js';
import { createClientIdentity } from './client_identity.js';
import type { Transport, TransportResponse } from './transport.js';

/**
 * The way from a company to a device that blinks: each POST either reaches the engine or, while
 * `down` says so, fails as the relay (a 504 answer) or a direct link (a thrown error) would.
 */
function blinking(real: Transport, down: (n: number) => 'relay' | 'link' | 'lost' | false) {
  const posts: string[] = [];
  const bodies: string[] = [];
  const transport: Transport = {
    get: (path, signal) => real.get(path, signal),
    post: async (path, body, signal): Promise<TransportResponse> => {
      const how = down(posts.length);
      posts.push(how || 'up');
      bodies.push(body);
      if (how === 'lost') {
        // reaches the device, whose answer is lost on the way back (it reloaded at that moment)
        await real.post(path, body, signal);
        throw new DiscoError('ERR_DEVICE_UNREACHABLE', 'The connection to the device closed.');
      }
      if (how === 'link')
        throw new DiscoError('ERR_DEVICE_UNREACHABLE', 'The connection to the device closed.');
      if (how === 'relay') {
        const { status, body: wire } = toWire(
          new DiscoError('ERR_DEVICE_UNREACHABLE', 'The device cannot be reached.'),
        );
        return { status, contentType: 'application/json', body: JSON.stringify(wire) };
      }
      return real.post(path, body, signal);
    },
  };
  return { transport, posts, bodies };
}

describe('a company waiting for the person while the device blinks', () => {
  it('gets the answer the person gave while the device was unreachable (relay 504s and a closed link)', async () => {
    const d = await makeDevice();
    const identity = await createClientIdentity({ name: 'Shop', kind: 'P-256', clock: d.clock });
    await (await d.client('Shop', { identity })).register();
    // The key A request is filed (post 0); the next three polls find the device away, once
    // through the relay and twice on a closed link; the person approves meanwhile.
    const { transport, posts } = blinking(d.transport, (n) =>
      n === 1 ? 'relay' : n === 2 || n === 3 ? 'link' : false,
    );
    const blinkingShop = await d.client('Shop', { transport, identity });
    const retries: number[] = [];
    const keyA = await blinkingShop.requestKeyA(['address'], {
      onUnreachable: ({ retryInMs, error }) => {
        expect(error.code).toBe('ERR_DEVICE_UNREACHABLE');
        retries.push(retryInMs);
      },
    });
    expect(keyA.key_a).toMatch(/.+/);
    expect(keyA.scope).toBe('address');
    expect(posts).toEqual(['up', 'relay', 'link', 'link', 'up']);
    // Backing off, not hammering: the pause doubles from the device's 1 s interval.
    expect(retries).toEqual([2000, 4000, 8000]);
    expect(d.person.decided.filter((p) => p.status === 'approved')).toHaveLength(2);
  });

  it('gives up with ERR_DEVICE_UNREACHABLE only at the deadline, after a bounded number of polls', async () => {
    const d = await makeDevice();
    d.person.answer = 'ignore';
    const { transport, posts } = blinking(d.transport, (n) => (n === 0 ? false : 'link'));
    const blinkingShop = await d.client('Shop', { transport });
    const started = d.clock.t;
    expect(await codeOf(blinkingShop.register(undefined, { timeoutMs: 60_000 }))).toBe(
      'ERR_DEVICE_UNREACHABLE',
    );
    expect(d.clock.t - started).toBe(60_000);
    // Giving up, it withdraws the request (best-effort: the link is still down).
    expect(await Promise.all(blinkingShop.withdrawals)).toEqual(['ERR_DEVICE_UNREACHABLE']);
    // 1 s, 2, 4, 8, 16, 16, 13 (to the deadline): seven polls in a minute, not sixty; then the
    // withdraw.
    expect(posts.length).toBe(9);
  });

  it('sends the first request again, the very same bytes, for 10 s while the device is away', async () => {
    const d = await makeDevice();
    const { transport, posts, bodies } = blinking(d.transport, () => 'relay');
    const blinkingShop = await d.client('Shop', { transport });
    const started = d.clock.t;
    expect(await codeOf(blinkingShop.register())).toBe('ERR_DEVICE_UNREACHABLE');
    // at 0, 0.5, 1.5, 3.5 and 7.5 s; the next pause would pass 10 s
    expect(posts).toEqual(['relay', 'relay', 'relay', 'relay', 'relay']);
    expect(d.clock.t - started).toBe(7_500);
    expect(new Set(bodies).size).toBe(1);
  });

  it('a first request whose answer was lost is sent again and files one request, not two', async () => {
    const d = await makeDevice();
    const identity = await createClientIdentity({ name: 'Shop', kind: 'P-256', clock: d.clock });
    await (await d.client('Shop', { identity })).register();
    // post 0 reaches the device, but its answer is lost; post 1 (the same bytes) gets it again
    const { transport, posts, bodies } = blinking(d.transport, (n) => (n === 0 ? 'lost' : false));
    const blinkingShop = await d.client('Shop', { transport, identity });
    const keyA = await blinkingShop.requestKeyA(['address']);
    expect(keyA.scope).toBe('address');
    expect(posts.slice(0, 2)).toEqual(['lost', 'up']);
    expect(bodies[1]).toBe(bodies[0]);
    // one card for the person, one permission
    expect(d.person.decided.filter((p) => p.kind === 'key_a')).toHaveLength(1);
  });

  it('with resendMs 0 the first request is not sent again', async () => {
    const d = await makeDevice();
    const { transport, posts } = blinking(d.transport, () => 'relay');
    const blinkingShop = await d.client('Shop', { transport, resendMs: 0 });
    expect(await codeOf(blinkingShop.register())).toBe('ERR_DEVICE_UNREACHABLE');
    expect(posts).toEqual(['relay']);
  });

  it('passes the device’s own refusal through at once, even after a blink', async () => {
    const d = await makeDevice();
    d.person.answer = 'deny';
    const { transport, posts } = blinking(d.transport, (n) => (n === 1 ? 'link' : false));
    const blinkingShop = await d.client('Shop', { transport });
    expect(await codeOf(blinkingShop.register())).toBe('ERR_ACCESS_DENIED');
    expect(posts).toEqual(['up', 'link', 'up']);
  });
});

describe('a call that gives up withdraws its request (issue #16)', () => {
  it('aborted: the withdraw is sent once, and only ERR_ABORTED reaches the caller', async () => {
    const d = await makeDevice();
    const shop = await d.client('Shop');
    await shop.register();
    d.person.answer = 'ignore';
    const stop = new AbortController();
    const call = shop.requestKeyA(['address'], {
      signal: stop.signal,
      onPending: () => stop.abort(),
    });
    expect(await codeOf(call)).toBe('ERR_ABORTED');
    expect(await Promise.all(shop.withdrawals)).toEqual([undefined]);
    const pending = await d.store.list<PendingRecord>(COLLECTIONS.pending);
    expect(pending.filter((r) => r.value.kind === 'key_a')).toHaveLength(0);
  });

  it('a withdraw that cannot reach the device changes nothing for the caller', async () => {
    const d = await makeDevice();
    const identity = await createClientIdentity({ name: 'Shop', kind: 'P-256', clock: d.clock });
    await (await d.client('Shop', { identity })).register();
    d.person.answer = 'ignore';
    // the request is filed (post 0); everything after it fails, the withdraw included
    const { transport, posts } = blinking(d.transport, (n) => (n === 0 ? false : 'link'));
    const shop = await d.client('Shop', { transport, identity });
    const stop = new AbortController();
    const call = shop.requestKeyA(['address'], {
      signal: stop.signal,
      onPending: () => stop.abort(),
    });
    expect(await codeOf(call)).toBe('ERR_ABORTED');
    expect(await Promise.all(shop.withdrawals)).toEqual(['ERR_DEVICE_UNREACHABLE']);
    expect(posts).toEqual(['up', 'link']);
  });

  it('an answer from the device is not withdrawn: the person refused', async () => {
    const d = await makeDevice();
    const shop = await d.client('Shop');
    await shop.register();
    d.person.answer = 'deny';
    expect(await codeOf(shop.requestKeyA(['address']))).toBe('ERR_ACCESS_DENIED');
    expect(shop.withdrawals).toHaveLength(0);
  });
});

describe('timeoutMs', () => {
  it('is honoured to the deadline: the last poll is at the deadline, not a second early', async () => {
    const d = await makeDevice();
    d.person.answer = 'ignore';
    const shop = await d.client('Shop');
    const started = d.clock.t;
    expect(await codeOf(shop.register(undefined, { timeoutMs: 2_500 }))).toBe('ERR_TIMEOUT');
    expect(d.clock.t - started).toBe(2_500);
  });
});
