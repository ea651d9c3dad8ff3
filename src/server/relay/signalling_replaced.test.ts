import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startRedis, type RunningRedis } from '../redis/start_redis.js';
import { captureLogger } from './log.js';
import { REPLACE_GRACE_MS } from './replace_peer.js';
import { startRelay } from './start_relay.js';
import { FakeDeviceLink, makeDevice, startTestRelay } from './testing.js';

/**
 * Issue #11: a restored backup opened while the original is online. Both hold the same device
 * id; the copy that connects last gets it, and the relay tells the one it replaces
 * (`ERROR` `DISCO_REPLACED: …`) before closing it, in one process and across a cluster. The
 * device app stops there until the person takes the id back (src/app/lib/relay.svelte.ts).
 */

interface Socket {
  status: number;
  socket?: WebSocket;
  inbox: { type?: string; payload?: { msg?: string } }[];
  closed: Promise<number>;
}

function connect(base: string, id: string, token: string): Promise<Socket> {
  const query = new URLSearchParams({ key: 'peerjs', id, token });
  const socket = new WebSocket(`${base.replace('http', 'ws')}/peerjs/peerjs?${query}`);
  const inbox: Socket['inbox'] = [];
  const closed = new Promise<number>((r) => socket.once('close', (code) => r(code)));
  socket.on('message', (data: Buffer) => inbox.push(JSON.parse(data.toString()) as never));
  socket.on('error', () => undefined);
  return new Promise((resolve) => {
    socket.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, inbox, closed });
      socket.terminate();
    });
    socket.once('open', () => resolve({ status: 101, socket, inbox, closed }));
  });
}

async function until<T>(probe: () => T | Promise<T>, ms = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const replacedIn = (s: Socket) =>
  s.inbox.find((m) => m.type === 'ERROR' && m.payload?.msg?.startsWith('DISCO_REPLACED: '));

describe('one relay', () => {
  let relay: Awaited<ReturnType<typeof startTestRelay>>;
  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(() => relay.close());

  it('tells the replaced copy DISCO_REPLACED, closes it, and the copy can take the id back', async () => {
    const device = await makeDevice();
    const token = (ms: number) => device.token(relay.clock.now() + ms);
    const original = await connect(relay.base, device.peerId, await token(0));
    await until(() => original.inbox.some((m) => m.type === 'OPEN'));
    const restored = await connect(relay.base, device.peerId, await token(1000));
    await until(() => restored.inbox.some((m) => m.type === 'OPEN'));
    // the message, then the close: the order the device app needs to read it
    expect(await original.closed).toBe(4001);
    expect(replacedIn(original)).toBeDefined();
    expect(original.inbox.at(-1)).toBe(replacedIn(original));
    expect(replacedIn(restored)).toBeUndefined();
    expect(relay.relay.peers()).toBe(1);
    expect(relay.logger.entries.filter((e) => e.event === 'peer.replaced')).toHaveLength(1);

    // "Use this one instead" on the original: a fresh token takes the id back, and the
    // restored copy is told in turn (the app then waits for its person: no ping-pong)
    const back = await connect(relay.base, device.peerId, await token(2000));
    await until(() => back.inbox.some((m) => m.type === 'OPEN'));
    expect(await restored.closed).toBe(4001);
    expect(replacedIn(restored)).toBeDefined();
    expect(replacedIn(back)).toBeUndefined();
    back.socket!.close();
    await until(() => relay.relay.peers() === 0);
  });

  it('admits the new copy within the grace period when the old socket never answers (half-open)', async () => {
    const device = await makeDevice();
    const stale = await connect(relay.base, device.peerId, await device.token(relay.clock.now()));
    await until(() => stale.inbox.length > 0);
    // the old end reads nothing any more: it can neither see the message nor answer the close
    (stale.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const started = Date.now();
    const fresh = await connect(
      relay.base,
      device.peerId,
      await device.token(relay.clock.now() + 1000),
    );
    await until(() => fresh.inbox.some((m) => m.type === 'OPEN'), REPLACE_GRACE_MS + 3000);
    expect(Date.now() - started).toBeLessThan(REPLACE_GRACE_MS + 2000);
    expect(relay.relay.peers()).toBe(1);
    stale.socket!.terminate();
    fresh.socket!.close();
    await until(() => relay.relay.peers() === 0);
  });

  it('does not touch a socket of another device, nor one of a non-device id', async () => {
    const device = await makeDevice();
    const other = await makeDevice();
    const mine = await connect(relay.base, device.peerId, await device.token(relay.clock.now()));
    const theirs = await connect(relay.base, other.peerId, await other.token(relay.clock.now()));
    const shop = await connect(relay.base, 'shop-replaced-1', 'shop-secret');
    await until(() => [mine, theirs, shop].every((s) => s.inbox.length > 0));
    const again = await connect(
      relay.base,
      device.peerId,
      await device.token(relay.clock.now() + 1000),
    );
    await mine.closed;
    // a non-device id held with another token is refused, not replaced (PeerJS's ID-TAKEN)
    const intruder = await connect(relay.base, 'shop-replaced-1', 'not-the-secret');
    await until(() => intruder.inbox.length > 0);
    expect(intruder.inbox[0]).toMatchObject({ type: 'ID-TAKEN' });
    expect([theirs, shop].map((s) => [s.socket!.readyState, replacedIn(s)])).toEqual([
      [WebSocket.OPEN, undefined],
      [WebSocket.OPEN, undefined],
    ]);
    for (const s of [again, theirs, shop]) s.socket!.close();
    await until(() => relay.relay.peers() === 0);
  });
});

describe('a relay cluster (two processes sharing Redis)', () => {
  let redis: RunningRedis;
  const clock = { now: () => Date.now() };
  const start = (url: string) =>
    startRelay({
      deviceLink: new FakeDeviceLink(),
      clock,
      logger: captureLogger(),
      allowLoopbackCallbacks: true,
      production: false,
      redisUrl: url,
      redisPrefix: 'replaced:',
      publicUrl: 'http://relay.test',
    });
  let a: Awaited<ReturnType<typeof start>>;
  let b: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    redis = await startRedis();
    a = await start(redis.url);
    b = await start(redis.url);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  it('the process holding the old socket tells it DISCO_REPLACED, both ways', async () => {
    const device = await makeDevice();
    const token = (ms: number) => device.token(clock.now() + ms);
    const onA = await connect(a.url, device.peerId, await token(0));
    await until(() => a.relay.hasPeer(device.peerId));
    const onB = await connect(b.url, device.peerId, await token(1000));
    expect(onB.status).toBe(101);
    expect(await onA.closed).toBe(4001);
    expect(replacedIn(onA)).toBeDefined();
    await until(() => !a.relay.hasPeer(device.peerId) && b.relay.hasPeer(device.peerId));

    // taken back on A: B's socket is told in turn
    const back = await connect(a.url, device.peerId, await token(2000));
    expect(back.status).toBe(101);
    expect(await onB.closed).toBe(4001);
    expect(replacedIn(onB)).toBeDefined();
    expect(replacedIn(back)).toBeUndefined();
    await until(() => a.relay.hasPeer(device.peerId) && !b.relay.hasPeer(device.peerId));
    back.socket!.close();
    await until(() => !a.relay.hasPeer(device.peerId));
  });
});
