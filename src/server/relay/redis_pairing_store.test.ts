import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairingStoreContract } from '../../testing/pairing_store_contract.js';
import { codeOf } from '../../testing/code_of.js';
import { startRedis, type RunningRedis } from '../redis/start_redis.js';
import { RedisPairingStore } from './redis_pairing_store.js';

/** Against Debian's real redis-server on 127.0.0.1 (npm test installs it). */
let redis: RunningRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

let n = 0;
pairingStoreContract('Redis', async () => {
  const store = await RedisPairingStore.open({
    url: redis.url,
    clock: { now: () => Date.now() },
    prefix: `test${n++}:`,
  });
  return { store, close: () => store.close() };
});

describe('RedisPairingStore across processes', () => {
  it('wakes a waiter on one relay when a device pairs on another', async () => {
    const clock = { now: () => Date.now() };
    const a = await RedisPairingStore.open({ url: redis.url, clock, prefix: 'shared:' });
    const b = await RedisPairingStore.open({ url: redis.url, clock, prefix: 'shared:' });
    try {
      const record = {
        uid: 'SHARED01',
        certificatePem: 'PEM',
        thumbprint: 'x',
        challenge: 'c',
        callback: null,
        waitToken: 't',
        createdAt: Date.now(),
        expiresAt: Date.now() + 60_000,
        device: null,
      };
      expect(await a.create(record)).toBe(true);
      expect(await b.create(record)).toBe(false);
      const waiting = a.waitForDevice('SHARED01', new AbortController().signal);
      await new Promise((r) => setTimeout(r, 50));
      const device = {
        uid: 'SHARED01',
        device_id: 'd',
        peer_id: 'p',
        public_key: { kty: 'OKP' },
        proxy_url: 'u',
      };
      expect((await b.pair('SHARED01', device, 0)).ok).toBe(true);
      expect(await waiting).toEqual(device);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('fails at once with ERR_RELAY_STORE_UNAVAILABLE while Redis is down, and recovers by itself', async () => {
    const dir = `${process.env.TMPDIR ?? '/tmp'}/disco-redis-restart-${process.pid}`;
    const first = await startRedis({ dir, appendOnly: true });
    const clock = { now: () => Date.now() };
    const store = await RedisPairingStore.open({ url: first.url, clock });
    try {
      const record = {
        uid: 'BEFORE01',
        certificatePem: 'PEM',
        thumbprint: 'x',
        challenge: 'c',
        callback: null,
        waitToken: 't',
        createdAt: Date.now(),
        expiresAt: Date.now() + 60_000,
        device: null,
      };
      expect(await store.create(record)).toBe(true);
      await first.kill();
      await new Promise((r) => setTimeout(r, 200));
      const started = Date.now();
      expect(await codeOf(store.get('BEFORE01'))).toBe('ERR_RELAY_STORE_UNAVAILABLE');
      expect(Date.now() - started).toBeLessThan(5_000);
      const second = await startRedis({ dir, port: first.port, appendOnly: true });
      try {
        // The client reconnects by itself; the pairing written before the restart is there.
        let got: unknown;
        for (let i = 0; i < 100 && got === undefined; i++) {
          got = await store.get('BEFORE01').catch(() => undefined);
          if (got === undefined) await new Promise((r) => setTimeout(r, 100));
        }
        expect(got).toEqual(record);
      } finally {
        await second.stop();
      }
    } finally {
      await store.close();
      await first.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
