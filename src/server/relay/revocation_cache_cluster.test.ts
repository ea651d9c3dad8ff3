import { afterAll, beforeAll, expect, it } from 'vitest';
import { peerIdOfIssuer, signRevocationList } from '../../protocol/certificates/index.js';
import { generateKey } from '../../protocol/certificates/test_keys.js';
import { b64u } from '../../protocol/encoding/index.js';
import { startRedis, type RunningRedis } from '../redis/start_redis.js';
import { captureLogger } from './log.js';
import { startRelay } from './start_relay.js';
import { FakeDeviceLink } from './testing.js';

/**
 * The relay's cache of revocation lists in a cluster (issue #14: revocation lists in Redis): a
 * list published to one process is served by another, and a rollback is refused by either.
 */
let redis: RunningRedis;
const start = () =>
  startRelay({
    deviceLink: new FakeDeviceLink(),
    clock: { now: () => Date.now() },
    logger: captureLogger(),
    production: false,
    redisUrl: redis.url,
    redisPrefix: 'revc:',
    publicUrl: 'http://relay.test',
  });
let a: Awaited<ReturnType<typeof start>>;
let b: Awaited<ReturnType<typeof start>>;
beforeAll(async () => {
  redis = await startRedis();
  a = await start();
  b = await start();
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await redis?.stop();
});

it('serves on one process the list published to another, and refuses a rollback on both', async () => {
  const device = await generateKey();
  const peer = await peerIdOfIssuer(device.publicKey);
  const list = (sequence: number) =>
    signRevocationList(
      { issuer: device.publicKey, sequence, revoked: [] },
      device.sign,
      Date.now(),
    ).then((l) => JSON.stringify({ list: b64u.encode(l.bytes) }));
  const put = (base: string, body: string) =>
    fetch(`${base}/capability/revocations/${peer}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body,
    });
  const published = await list(2);
  expect((await put(a.url, published)).status).toBe(204);
  // the device is connected to neither process: b answers from Redis
  const got = await fetch(`${b.url}/capability/revocations/${peer}`);
  expect(got.status).toBe(200);
  expect(await got.text()).toBe(published);
  for (const base of [a.url, b.url]) {
    const back = await put(base, await list(1));
    expect([back.status, ((await back.json()) as { code: string }).code]).toEqual([
      400,
      'ERR_CAP_REVOCATIONS_ROLLBACK',
    ]);
  }
});
