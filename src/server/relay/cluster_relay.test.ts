import { connect as tcpConnect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startRedis, type RunningRedis } from '../redis/start_redis.js';
import { startRelay } from './start_relay.js';
import { captureLogger } from './log.js';
import { redisConnection } from './redis_connection.js';
import { FakeDeviceLink, json, makeDevice, makeRp } from './testing.js';

/**
 * Two in-process relays sharing one real redis-server (issue #14): pairings, rate limits, the
 * peer directory and signalling cross between them. The child-process cluster behind HAProxy
 * is src/server/relay/cluster.test.ts.
 */
let redis: RunningRedis;
let dir: string;
const clock = { now: () => Date.now() };
const PUBLIC = 'http://relay.test';
const start = (redisUrl: string, link = new FakeDeviceLink(), redisPrefix = 'c1:') =>
  startRelay({
    deviceLink: link,
    clock,
    logger: captureLogger(),
    allowLoopbackCallbacks: true,
    production: false,
    redisUrl,
    redisPrefix,
    // every process of a cluster has the balancer's URL
    publicUrl: PUBLIC,
    longPollSeconds: 2,
    rateLimits: { createPerAddress: 5 },
  });
type Running = Awaited<ReturnType<typeof start>>;
let a: Running;
let b: Running;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'disco-cluster-redis-'));
  redis = await startRedis({ dir, appendOnly: true });
  a = await start(redis.url);
  b = await start(redis.url);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

const codeOf = async (res: Response) => [res.status, ((await res.json()) as { code: string }).code];

function connect(base: string, query: Record<string, string>) {
  const url = `${base.replace('http', 'ws')}/peerjs/peerjs?${new URLSearchParams({ key: 'peerjs', ...query })}`;
  return new Promise<{ status: number; socket?: WebSocket; inbox: unknown[] }>((resolve) => {
    const socket = new WebSocket(url);
    const inbox: unknown[] = [];
    socket.on('message', (data: Buffer) => inbox.push(JSON.parse(data.toString())));
    socket.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, inbox });
      socket.terminate();
    });
    socket.once('open', () => resolve({ status: 101, socket, inbox }));
    socket.on('error', () => undefined);
  });
}

async function until<T>(probe: () => T | Promise<T>, ms = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const offer = (dst: string) => ({
  type: 'OFFER',
  dst,
  payload: {
    sdp: { type: 'offer', sdp: 'v=0\r\n' },
    type: 'data',
    connectionId: 'dc_cluster1',
    label: 'dc_cluster1',
    reliable: true,
    serialization: 'raw',
  },
});

/**
 * Every command Redis runs from now on (its MONITOR feed), as lines such as
 * `+1700000000.1 [0 127.0.0.1:5000] "GET" "c1:pairing:ABCD"`: to count what a relay reads.
 */
async function monitorRedis(url: string): Promise<{ lines: () => string[]; stop: () => void }> {
  const { hostname, port } = new URL(url);
  const socket = tcpConnect(Number(port), hostname);
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString()));
  await new Promise<void>((ok, fail) => socket.once('connect', ok).once('error', fail));
  socket.write('MONITOR\r\n');
  await until(() => text.startsWith('+OK'));
  return { lines: () => text.split('\r\n').slice(1), stop: () => socket.destroy() };
}

describe('relays sharing Redis', () => {
  it("answers a held wait on A from B's pairing by pub/sub, reading the pairing no more while held", async () => {
    // Issue #16: "same for the relay's wait". A relay that looked at Redis again at an interval
    // would GET the pairing key during the hold; this one reads it when the wait arrives only.
    // Relays of their own (another prefix), not to spend the shared ones' rate-limit budget.
    const [a, b] = [
      await start(redis.url, undefined, 'c2:'),
      await start(redis.url, undefined, 'c2:'),
    ];
    const monitor = await monitorRedis(redis.url);
    try {
      const rp = await makeRp(clock.now());
      const created = (await (
        await fetch(`${a.url}/uid`, { headers: { 'disco-client-certificate': rp.header } })
      ).json()) as { uid: string; wait_token: string };
      const polled = fetch(`${a.url}/uid/${created.uid}/wait`, {
        headers: { authorization: `Bearer ${created.wait_token}` },
      });
      const reads = () =>
        monitor
          .lines()
          .filter(
            (l) =>
              !l.includes(' lua]') && l.includes(`"c2:pairing:${created.uid.replace('-', '')}"`),
          );
      await until(() => reads().length >= 2); // the wait's check, then the waiter's
      const before = reads().length;
      await new Promise((r) => setTimeout(r, 1000)); // held: half of longPollSeconds
      expect(reads().length).toBe(before);
      const device = await makeDevice();
      expect((await fetch(`${b.url}/uid`, json(device.pairBody(created.uid, PUBLIC)))).status).toBe(
        200,
      );
      const res = await polled;
      expect(res.status).toBe(200);
      expect(((await res.json()) as { peer_id: string }).peer_id).toBe(device.peerId);
    } finally {
      monitor.stop();
      await a.close();
      await b.close();
    }
  });

  it('completes on B a pairing started on A, and wakes the long-poll on A', async () => {
    const rp = await makeRp(clock.now());
    const created = (await (
      await fetch(`${a.url}/uid`, { headers: { 'disco-client-certificate': rp.header } })
    ).json()) as { uid: string; wait_url: string; wait_token: string };
    const polled = fetch(`${a.url}/uid/${created.uid}/wait`, {
      headers: { authorization: `Bearer ${created.wait_token}` },
    });
    await new Promise((r) => setTimeout(r, 100));
    const device = await makeDevice();
    const paired = await fetch(`${b.url}/uid`, json(device.pairBody(created.uid, PUBLIC)));
    expect(paired.status).toBe(200);
    const res = await polled;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { peer_id: string }).peer_id).toBe(device.peerId);
    // the uid is spent for every process
    const again = await fetch(`${a.url}/uid`, json(device.pairBody(created.uid, PUBLIC)));
    expect(await codeOf(again)).toEqual([409, 'ERR_PAIRING_USED']);
  });

  it('counts one rate-limit budget across processes', async () => {
    const rp = await makeRp(clock.now(), 'Budget Shop');
    const get = (base: string) =>
      fetch(`${base}/uid`, { headers: { 'disco-client-certificate': rp.header } });
    const statuses: number[] = [];
    // createPerAddress is 5 on each; one of them was spent by the test above
    for (const base of [a.url, b.url, a.url, b.url, a.url]) statuses.push((await get(base)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    // a fresh budget for the tests below
    const client = redisConnection(redis.url);
    await client.connect();
    expect(await client.del('c1:rate:uid_create_address:127.0.0.1')).toBe(1);
    client.destroy();
  });

  it('forwards signalling between processes, and a device id lives on one process', async () => {
    const device = await makeDevice();
    const onA = await connect(a.url, { id: device.peerId, token: await device.token(clock.now()) });
    expect(onA.status).toBe(101);
    const rp = await connect(b.url, { id: 'rp-cluster-1', token: 'rp-secret' });
    expect(rp.status).toBe(101);
    await until(() => a.relay.hasPeer(device.peerId) && b.relay.hasPeer('rp-cluster-1'));
    rp.socket!.send(JSON.stringify(offer(device.peerId)));
    const got = await until(() => onA.inbox.find((m) => (m as { type: string }).type === 'OFFER'));
    expect(got).toMatchObject({ type: 'OFFER', src: 'rp-cluster-1', dst: device.peerId });
    onA.socket!.send(
      JSON.stringify({
        type: 'ANSWER',
        dst: 'rp-cluster-1',
        payload: { sdp: { type: 'answer', sdp: 'v=0' }, type: 'data', connectionId: 'dc_cluster1' },
      }),
    );
    const answer = await until(() =>
      rp.inbox.find((m) => (m as { type: string }).type === 'ANSWER'),
    );
    expect(answer).toMatchObject({ src: device.peerId, dst: 'rp-cluster-1' });
    // a malformed message is still dropped before anything is forwarded
    rp.socket!.send(JSON.stringify({ type: 'OFFER', dst: device.peerId, payload: 'x', extra: 1 }));
    await new Promise((r) => setTimeout(r, 200));
    expect(onA.inbox.filter((m) => (m as { type: string }).type === 'OFFER')).toHaveLength(1);

    // the tunnel on B sees the device on A (the directory)
    const tunnelled = await fetch(`${b.url}/p/${device.peerId}/disco/ping`);
    expect(tunnelled.status).toBe(200);
    const nobody = await makeDevice();
    expect(await codeOf(await fetch(`${b.url}/p/${nobody.peerId}/disco/ping`))).toEqual([
      504,
      'ERR_DEVICE_UNREACHABLE',
    ]);

    // the token used on A is spent on B too
    const replay = new URL(onA.socket!.url).searchParams.get('token')!;
    expect((await connect(b.url, { id: device.peerId, token: replay })).status).toBe(401);
    // another token for a non-device id held elsewhere: refused, as in one process
    expect((await connect(a.url, { id: 'rp-cluster-1', token: 'other' })).status).toBe(409);

    // a fresh token on B takes the device over: A closes its socket, B routes to it
    const closed = new Promise((r) => onA.socket!.once('close', r));
    const onB = await connect(b.url, {
      id: device.peerId,
      token: await device.token(clock.now() + 1000),
    });
    expect(onB.status).toBe(101);
    await closed;
    await until(() => !a.relay.hasPeer(device.peerId) && b.relay.hasPeer(device.peerId));
    rp.socket!.send(JSON.stringify(offer(device.peerId)));
    await until(() => onB.inbox.find((m) => (m as { type: string }).type === 'OFFER'));
    onB.socket!.close();
    await until(() => !b.relay.hasPeer(device.peerId));
    // the directory forgets a closed socket: the tunnel on A no longer sees the device
    expect(await codeOf(await fetch(`${a.url}/p/${device.peerId}/disco/ping`))).toEqual([
      504,
      'ERR_DEVICE_UNREACHABLE',
    ]);
    rp.socket!.close();
  });
});

describe('signalling order across processes', () => {
  it('delivers an OFFER and the CANDIDATEs sent right after it in order', async () => {
    const device = await makeDevice();
    const onA = await connect(a.url, { id: device.peerId, token: await device.token(clock.now()) });
    const rp = await connect(b.url, { id: 'rp-order-1', token: 'order-secret' });
    expect([onA.status, rp.status]).toEqual([101, 101]);
    const candidate = (i: number) => ({
      type: 'CANDIDATE',
      dst: device.peerId,
      payload: {
        candidate: {
          candidate: `candidate:${i} 1 udp 2122260223 127.0.0.1 ${50000 + i} typ host`,
          sdpMid: '0',
          sdpMLineIndex: 0,
        },
        type: 'data',
        connectionId: 'dc_cluster1',
      },
    });
    rp.socket!.send(JSON.stringify(offer(device.peerId)));
    for (let i = 1; i <= 8; i++) rp.socket!.send(JSON.stringify(candidate(i)));
    await until(() => onA.inbox.length >= 10); // OPEN, then the nine
    const types = onA.inbox.slice(1).map((m) => {
      const msg = m as { type: string; payload: { candidate?: { candidate: string } } };
      return msg.type === 'OFFER' ? 'OFFER' : msg.payload.candidate!.candidate.split(' ')[0];
    });
    expect(types).toEqual(['OFFER', ...Array.from({ length: 8 }, (_, i) => `candidate:${i + 1}`)]);
    onA.socket!.close();
    rp.socket!.close();
  });
});

describe('drain', () => {
  it('answers /healthz 503 while draining, and serves the rest', async () => {
    const c = await start(redis.url);
    try {
      expect((await fetch(`${c.url}/healthz`)).status).toBe(200);
      c.relay.drain();
      const health = await fetch(`${c.url}/healthz`);
      expect([health.status, await health.json()]).toEqual([503, { ok: false, peers: 0 }]);
      expect((await fetch(`${c.url}/ice-servers`)).status).toBe(200);
    } finally {
      await c.close();
    }
  });
});

describe('Redis restarted under the relays', () => {
  it('answers 503 ERR_RELAY_STORE_UNAVAILABLE while down, recovers, and keeps the pairings', async () => {
    const rp = await makeRp(clock.now(), 'Restart Shop');
    const created = (await (
      await fetch(`${a.url}/uid`, { headers: { 'disco-client-certificate': rp.header } })
    ).json()) as { uid: string; wait_token: string };
    await redis.kill();
    await new Promise((r) => setTimeout(r, 200));
    const down = await fetch(`${b.url}/uid`, {
      headers: { 'disco-client-certificate': rp.header },
    });
    expect(await codeOf(down)).toEqual([503, 'ERR_RELAY_STORE_UNAVAILABLE']);
    const device = await makeDevice();
    const pairDown = await fetch(`${b.url}/uid`, json(device.pairBody(created.uid, PUBLIC)));
    expect(await codeOf(pairDown)).toEqual([503, 'ERR_RELAY_STORE_UNAVAILABLE']);
    // the health check stays up: every process would go at once, and the balancer's own 503
    // carries no code
    expect((await fetch(`${a.url}/healthz`)).status).toBe(200);

    redis = await startRedis({ dir, port: redis.port, appendOnly: true });
    // no relay restart: the clients reconnect by themselves
    const paired = await until(async () => {
      const res = await fetch(`${b.url}/uid`, json(device.pairBody(created.uid, PUBLIC)));
      return res.status === 503 ? null : res;
    }, 10_000);
    expect(paired.status).toBe(200);
    const res = await fetch(`${a.url}/uid/${created.uid}/wait`, {
      headers: { authorization: `Bearer ${created.wait_token}` },
    });
    expect(res.status).toBe(200);
  });
});
