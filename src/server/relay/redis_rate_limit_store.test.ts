import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf } from '../../testing/code_of.js';
import { startRedis, type RunningRedis } from '../redis/start_redis.js';
import { redisConnection, type RedisConnection } from './redis_connection.js';
import { RedisRateLimitStore } from './redis_rate_limit_store.js';

/** Against Debian's real redis-server on 127.0.0.1 (npm test installs it). */
let redis: RunningRedis;
let client: RedisConnection;
beforeAll(async () => {
  redis = await startRedis();
  client = redisConnection(redis.url);
  await client.connect();
});
afterAll(async () => {
  client?.destroy();
  await redis?.stop();
});

const store = (prefix: string, windowMs: number) => {
  const s = new RedisRateLimitStore(client, prefix, 'test');
  s.init({ windowMs } as Parameters<RedisRateLimitStore['init']>[0]);
  return s;
};

describe('RedisRateLimitStore (express-rate-limit Store)', () => {
  it('counts hits in one fixed window, shared by every store of the prefix', async () => {
    const a = store('shared:', 60_000);
    const b = store('shared:', 60_000);
    const first = await a.increment('1.2.3.4');
    expect(first.totalHits).toBe(1);
    const left = first.resetTime!.getTime() - Date.now();
    expect(left).toBeGreaterThan(59_000);
    expect(left).toBeLessThanOrEqual(60_000);
    expect((await b.increment('1.2.3.4')).totalHits).toBe(2);
    expect((await a.increment('1.2.3.4')).totalHits).toBe(3);
    // another key, another prefix: their own counts
    expect((await a.increment('5.6.7.8')).totalHits).toBe(1);
    expect((await store('other:', 60_000).increment('1.2.3.4')).totalHits).toBe(1);
    const ttl = await client.pTTL('shared:rate:test:1.2.3.4');
    expect(ttl).toBeGreaterThan(0);
  });

  it('starts a new window when the old one lapses', async () => {
    const s = store('window:', 150);
    expect((await s.increment('k')).totalHits).toBe(1);
    expect((await s.increment('k')).totalHits).toBe(2);
    await new Promise((r) => setTimeout(r, 250));
    expect((await s.increment('k')).totalHits).toBe(1);
  });

  it('takes a hit back (never below zero) and resets a key', async () => {
    const s = store('dec:', 60_000);
    await s.increment('k');
    await s.increment('k');
    await s.decrement('k');
    expect((await s.increment('k')).totalHits).toBe(2);
    await s.resetKey('k');
    await s.decrement('k');
    expect((await s.increment('k')).totalHits).toBe(1);
  });

  it('fails with ERR_RELAY_STORE_UNAVAILABLE when Redis cannot be reached', async () => {
    const down = redisConnection('redis://127.0.0.1:1');
    const s = new RedisRateLimitStore(down, 'x:', 'test');
    expect(await codeOf(s.increment('k'))).toBe('ERR_RELAY_STORE_UNAVAILABLE');
    expect(await codeOf(s.resetKey('k'))).toBe('ERR_RELAY_STORE_UNAVAILABLE');
    // called from an async 'finish' listener by express-rate-limit: must not reject
    expect(await codeOf(s.decrement('k'))).toBe('resolved');
    down.destroy();
  });
});
