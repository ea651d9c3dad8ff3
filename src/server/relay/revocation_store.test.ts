import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revocationStoreContract } from '../../testing/revocation_store_contract.js';
import { startRedis, type RunningRedis } from '../redis/start_redis.js';
import { connectAll, redisConnection, type RedisConnection } from './redis_connection.js';
import { RedisRevocationStore } from './redis_revocation_store.js';
import { entryOfJson, MemoryRevocationStore } from './revocation_store.js';
import { fakeClock } from './testing.js';

revocationStoreContract('memory', () => {
  const store = new MemoryRevocationStore({ clock: { now: () => Date.now() } });
  return Promise.resolve({ store, close: () => store.close() });
});

/** Against Debian's real redis-server on 127.0.0.1 (npm test installs it). */
let redis: RunningRedis;
let client: RedisConnection;
beforeAll(async () => {
  redis = await startRedis();
  client = redisConnection(redis.url);
  await connectAll([client]);
});
afterAll(async () => {
  client?.destroy();
  await redis?.stop();
});
let n = 0;
revocationStoreContract('Redis', () => {
  const store = new RedisRevocationStore(client, `rev${n++}:`);
  return Promise.resolve({ store, close: () => store.close() });
});

const entry = { sequence: 1, issuedAt: 2, ids: 'A', list: 'L' };

describe('MemoryRevocationStore', () => {
  it('forgets a list after its keep time, and the oldest write when full', async () => {
    const clock = fakeClock(0);
    const store = new MemoryRevocationStore({ clock, maxEntries: 2, keepMs: 1000 });
    await store.offer('a', entry);
    await store.offer('b', entry);
    await store.offer('a', { ...entry, issuedAt: 3 });
    await store.offer('c', entry);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toEqual({ ...entry, issuedAt: 3 });
    clock.advance(1000);
    expect(await store.get('a')).toBeUndefined();
    expect(await store.offer('a', { ...entry, sequence: 0 })).toBe('store');
  });
});

describe('RedisRevocationStore', () => {
  it('renews the TTL at each write, and refuses an unreadable entry with ERR_INTERNAL', async () => {
    const store = new RedisRevocationStore(client, 'ttl:', 5000);
    await store.offer('p', entry);
    const ttl = await client.pTTL('ttl:revocations:p');
    expect(ttl).toBeGreaterThan(4000);
    expect(ttl).toBeLessThanOrEqual(5000);
    await client.set('ttl:revocations:q', '{"sequence":"1"}');
    await expect(store.get('q')).rejects.toMatchObject({ code: 'ERR_INTERNAL' });
    expect(() => entryOfJson('not json')).toThrow(
      expect.objectContaining({ code: 'ERR_INTERNAL' }),
    );
  });
});
