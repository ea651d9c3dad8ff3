import { describe, expect, it } from 'vitest';
import { codeOf } from '../../testing/code_of.js';
import { iceFromRelay, linkIceOptions, RelayIceConfig } from './relay_ice_config.js';
import { rtcConfiguration } from './rtc_configuration.js';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

/** A relay's `/ice-servers` whose TURN password changes with each answer (as coturn's REST ones do). */
function fakeRelay(lifetimeS = 600) {
  const clock = { t: T0 };
  const calls: string[] = [];
  let answer = 0;
  let failNext = 0;
  let gate: Promise<void> | undefined;
  const fetchImpl = (async (input: RequestInfo | URL) => {
    calls.push(input instanceof Request ? input.url : input.toString());
    await gate;
    if (failNext > 0) {
      failNext--;
      return new Response('nope', { status: 503 });
    }
    answer++;
    return Response.json({
      ice_servers: [
        {
          urls: ['turn:127.0.0.1:3478?transport=udp'],
          username: `${Math.floor(clock.t / 1000) + lifetimeS}:rp`,
          credential: `secret-${answer}`,
        },
      ],
      ice_transport_policy: 'relay',
      expires_at: Math.floor(clock.t / 1000) + lifetimeS,
    });
  }) as typeof fetch;
  return {
    clock,
    calls,
    fetch: fetchImpl,
    now: () => clock.t,
    failNext: (n: number) => (failNext = n),
    /** Holds every answer until the returned function is called. */
    hold: () => {
      let open!: () => void;
      gate = new Promise<void>((r) => (open = r));
      return open;
    },
  };
}

describe('the relay ICE configuration, kept fresh', () => {
  it('is fetched once from <relay>/ice-servers, and until then means no servers at all', async () => {
    const relay = fakeRelay();
    const ice = new RelayIceConfig('http://127.0.0.1:8711/', relay);
    expect(ice.iceServers()).toEqual([]);
    expect(ice.iceTransportPolicy()).toBe('all');
    expect(relay.calls).toEqual([]); // nothing is fetched before it is needed

    const config = await ice.fresh();
    expect(relay.calls).toEqual(['http://127.0.0.1:8711/ice-servers']);
    expect(config.iceTransportPolicy).toBe('relay');
    expect(config.expiresAt).toBe(T0 + 600_000);
    expect(ice.iceServers()).toEqual([
      {
        urls: ['turn:127.0.0.1:3478?transport=udp'],
        username: `${T0 / 1000 + 600}:rp`,
        credential: 'secret-1',
      },
    ]);
    expect(ice.iceTransportPolicy()).toBe('relay');
  });

  it('is reused while it has more than a minute left, and fetched again after', async () => {
    const relay = fakeRelay(600);
    const ice = new RelayIceConfig('http://relay.test', relay);
    const first = await ice.fresh();
    relay.clock.t = T0 + 539_000; // 61 s left
    expect(await ice.fresh()).toBe(first);
    expect(relay.calls).toHaveLength(1);
    relay.clock.t = T0 + 540_000; // 60 s left: renew now, not when it has already failed
    const second = await ice.fresh();
    expect(relay.calls).toHaveLength(2);
    expect(second.expiresAt).toBe(T0 + 540_000 + 600_000);
    expect(ice.iceServers()[0]?.credential).toBe('secret-2');
  });

  it('is fetched again after maxUses connections (coturn quotas are per username)', async () => {
    const relay = fakeRelay();
    const ice = new RelayIceConfig('http://relay.test', { ...relay, maxUses: 3 });
    const go = relay.hold();
    const joined = Promise.all([ice.fresh(), ice.fresh()]); // two connections share one fetch
    await Promise.resolve();
    go();
    const [first] = await joined;
    expect(await ice.fresh()).toBe(first); // the third use
    expect(relay.calls).toHaveLength(1);
    const next = await ice.fresh();
    expect(relay.calls).toHaveLength(2);
    expect(next).not.toBe(first);
    expect(next.iceServers[0]?.credential).toBe('secret-2');
  });

  it('shares one fetch between callers at the same moment', async () => {
    const relay = fakeRelay();
    const ice = new RelayIceConfig('http://relay.test', relay);
    const go = relay.hold();
    const all = Promise.all([ice.fresh(), ice.fresh(), ice.fresh()]);
    await Promise.resolve();
    go();
    const [a, b, c] = await all;
    expect(relay.calls).toHaveLength(1);
    expect(a).toBe(b);
    expect(b).toBe(c);
  });

  it('fails with ERR_TRANSPORT_FAILED and asks again next time', async () => {
    const relay = fakeRelay();
    const ice = new RelayIceConfig('http://relay.test', relay);
    relay.failNext(1);
    expect(await codeOf(ice.fresh())).toBe('ERR_TRANSPORT_FAILED');
    expect(ice.iceServers()).toEqual([]);
    expect((await ice.fresh()).iceTransportPolicy).toBe('relay');
    expect(relay.calls).toHaveLength(2);
  });

  it('fails with ERR_TRANSPORT_FAILED when the relay cannot be reached', async () => {
    const ice = new RelayIceConfig('http://relay.test', {
      fetch: () => Promise.reject(new TypeError('Failed to fetch')),
    });
    expect(await codeOf(ice.fresh())).toBe('ERR_TRANSPORT_FAILED');
  });

  it("feeds a link's RTCConfiguration: each new connection reads the credentials then current", async () => {
    const relay = fakeRelay(600);
    const opts = iceFromRelay('http://relay.test', relay);
    const config = rtcConfiguration(opts); // made once, as the link's peer is
    expect({ ...config }).toEqual({ iceServers: [], iceTransportPolicy: 'all' });
    await opts.refreshIce();
    expect({ ...config }.iceServers?.[0]?.credential).toBe('secret-1');
    expect({ ...config }.iceTransportPolicy).toBe('relay');
    relay.clock.t = T0 + 590_000;
    await opts.refreshIce();
    expect({ ...config }.iceServers?.[0]?.credential).toBe('secret-2');
  });
});

describe('the ICE options of a link to devices behind a relay', () => {
  it('are the given list when there is one, and the relay is never asked', () => {
    const relay = fakeRelay();
    const none = linkIceOptions('http://relay.test', { iceServers: [], fetch: relay.fetch });
    expect(none).toEqual({ iceServers: [] });
    const fixed = linkIceOptions('http://relay.test', {
      iceServers: [{ urls: 'stun:127.0.0.1:3478' }],
      iceTransportPolicy: 'all',
      fetch: relay.fetch,
    });
    expect(fixed).toEqual({
      iceServers: [{ urls: 'stun:127.0.0.1:3478' }],
      iceTransportPolicy: 'all',
    });
    expect(relay.calls).toEqual([]);
  });

  it("are otherwise the relay's, renewed through refreshIce; a given policy wins", async () => {
    const relay = fakeRelay();
    const ice = linkIceOptions('http://relay.test', { fetch: relay.fetch, now: relay.now });
    await ice.refreshIce?.();
    const config = { ...rtcConfiguration(ice) };
    expect(config.iceServers?.[0]?.credential).toBe('secret-1');
    expect(config.iceTransportPolicy).toBe('relay');
    const all = linkIceOptions('http://relay.test', {
      fetch: relay.fetch,
      now: relay.now,
      iceTransportPolicy: 'all',
    });
    await all.refreshIce?.();
    expect({ ...rtcConfiguration(all) }.iceTransportPolicy).toBe('all');
    expect(relay.calls).toEqual(['http://relay.test/ice-servers', 'http://relay.test/ice-servers']);
  });
});
