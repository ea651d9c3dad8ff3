import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf } from '../../testing/code_of.js';
import { startRedis, type RunningRedis } from '../redis/start_redis.js';
import { PeerDirectory, type BusMessage } from './peer_directory.js';

/** Against Debian's real redis-server on 127.0.0.1, without persistence (npm test installs it). */
let redis: RunningRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

async function until(probe: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('PeerDirectory', () => {
  it('locates a held id, lets it lapse without refresh, and forgets it on release', async () => {
    const a = await PeerDirectory.open({ url: redis.url, prefix: 'd1:', ttlMs: 300 });
    const b = await PeerDirectory.open({ url: redis.url, prefix: 'd1:', ttlMs: 300 });
    try {
      const held = (await a.claim('disco-held', 't1', true))!;
      a.hold('disco-held', held);
      const lapsing = (await a.claim('relay-lapsing', 't2', false))!;
      expect(lapsing).not.toBeNull();
      // held: refreshed every 100 ms; lapsing: claimed but its socket never opened
      await new Promise((r) => setTimeout(r, 600));
      expect(await b.locate('disco-held')).toBe(a.processId);
      expect(await b.locate('relay-lapsing')).toBeNull();
      await a.release('disco-held', held);
      expect(await b.locate('disco-held')).toBeNull();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('tells the old process of a takeover, and refuses another token for a non-device id', async () => {
    const a = await PeerDirectory.open({ url: redis.url, prefix: 'd2:' });
    const b = await PeerDirectory.open({ url: redis.url, prefix: 'd2:' });
    const toA: BusMessage[] = [];
    a.onMessage((m) => toA.push(m));
    try {
      a.hold('disco-moving', (await a.claim('disco-moving', 'old', true))!);
      const onB = (await b.claim('disco-moving', 'new', true))!;
      await until(() => toA.some((m) => m.kind === 'takeover' && m.id === 'disco-moving'));
      expect(await a.locate('disco-moving')).toBe(b.processId);
      // A's socket closes afterwards: its release leaves B's newer claim alone
      await a.release('disco-moving', 'anything but the current value');
      expect(await a.locate('disco-moving')).toBe(b.processId);
      expect(onB.startsWith(b.processId)).toBe(true);

      a.hold('rp-1', (await a.claim('rp-1', 'secret', false))!);
      expect(await b.claim('rp-1', 'guess', false)).toBeNull();
      expect(await b.claim('rp-1', 'secret', false)).not.toBeNull();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('lets a token in once across processes', async () => {
    const a = await PeerDirectory.open({ url: redis.url, prefix: 'd3:' });
    const b = await PeerDirectory.open({ url: redis.url, prefix: 'd3:' });
    try {
      expect(await a.spend('token-1', 60_000)).toBe(true);
      expect(await b.spend('token-1', 60_000)).toBe(false);
      expect(await b.spend('token-2', 60_000)).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('writes its entries back after Redis lost them, and notices one another process took', async () => {
    const a = await PeerDirectory.open({ url: redis.url, prefix: 'd4:', ttlMs: 300 });
    const taken: string[] = [];
    a.onMessage((m) => m.kind === 'takeover' && taken.push(m.id));
    const raw = await PeerDirectory.open({ url: redis.url, prefix: 'd4:' });
    try {
      a.hold('disco-kept', (await a.claim('disco-kept', 't', true))!);
      a.hold('disco-taken', (await a.claim('disco-taken', 't', true))!);
      // as after a restart without persistence, and a takeover whose message was lost
      await raw.client.del('d4:peer:disco-kept');
      await raw.client.set('d4:peer:disco-taken', 'p-elsewhere x y');
      await until(async () => (await raw.locate('disco-kept')) === a.processId);
      await until(() => taken.includes('disco-taken'));
      expect(await raw.locate('disco-taken')).toBe('p-elsewhere');
    } finally {
      await a.close();
      await raw.close();
    }
  });

  it('fails with ERR_RELAY_STORE_UNAVAILABLE when Redis cannot be reached', async () => {
    expect(await codeOf(PeerDirectory.open({ url: 'redis://127.0.0.1:1', prefix: 'x:' }))).toBe(
      'ERR_RELAY_STORE_UNAVAILABLE',
    );
  });
});
