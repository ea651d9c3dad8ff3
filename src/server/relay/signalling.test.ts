import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { admitPeer } from './peer_auth.js';
import { makeDevice, startTestRelay } from './testing.js';

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;
let relay: TestRelay;
let device: Awaited<ReturnType<typeof makeDevice>>;

beforeAll(async () => {
  relay = await startTestRelay();
  device = await makeDevice();
});
afterAll(() => relay.close());

/** Opens a PeerJS signalling socket: the first message, or the HTTP status that refused it. */
function connect(query: string): Promise<{ status: number; first?: unknown; socket?: WebSocket }> {
  const url = `${relay.base.replace('http', 'ws')}/peerjs/peerjs?${query}`;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      socket.terminate();
    });
    socket.once('message', (data: Buffer) =>
      resolve({ status: 101, first: JSON.parse(data.toString()), socket }),
    );
    socket.once('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

const q = (params: Record<string, string>) =>
  new URLSearchParams({ key: 'peerjs', ...params }).toString();
const health = async () => (await (await fetch(`${relay.base}/healthz`)).json()) as unknown;

describe('PeerJS signalling', () => {
  it('refuses a device id without a valid token', async () => {
    expect((await connect(q({ id: device.peerId, token: 'bad' }))).status).toBe(401);
    const stranger = await makeDevice();
    const stolen = await stranger.token(relay.clock.now());
    expect((await connect(q({ id: device.peerId, token: stolen }))).status).toBe(401);
    const stale = await device.token(relay.clock.now() - 11 * 60_000);
    expect((await connect(q({ id: device.peerId, token: stale }))).status).toBe(401);
    expect(relay.logger.entries.filter((e) => e.event === 'peer.refused')).toHaveLength(3);
    expect(JSON.stringify(relay.logger.entries)).not.toContain(stolen);
  });

  it('accepts the device with its own token, counts it in /healthz, and forgets it on close', async () => {
    const token = await device.token(relay.clock.now());
    const { status, first, socket } = await connect(q({ id: device.peerId, token }));
    expect([status, first]).toEqual([101, { type: 'OPEN' }]);
    expect(await health()).toEqual({ ok: true, peers: 1 });
    expect(relay.relay.hasPeer(device.peerId)).toBe(true);
    socket!.close();
    for (let i = 0; i < 50 && relay.relay.peers() > 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(await health()).toEqual({ ok: true, peers: 0 });
    const events = relay.logger.entries.map((e) => e.event);
    expect(events).toContain('peer.connected');
    expect(events).toContain('peer.disconnected');
  });

  it('lets a device with a fresh token replace its stale connection at once', async () => {
    relay.clock.advance(1000); // a token opens one socket, once: the device makes a new one
    const first = await connect(
      q({ id: device.peerId, token: await device.token(relay.clock.now()) }),
    );
    expect(first.first).toEqual({ type: 'OPEN' });
    const firstClosed = new Promise((r) => first.socket!.once('close', r));
    const later = await device.token(relay.clock.now() + 2000);
    const second = await connect(q({ id: device.peerId, token: later }));
    expect(second.first).toEqual({ type: 'OPEN' });
    await firstClosed;
    expect(relay.relay.peers()).toBe(1);
    const other = await makeDevice();
    const intruder = await connect(
      q({ id: other.peerId, token: await other.token(relay.clock.now()) }),
    );
    intruder.socket!.close();
    second.socket!.close();
    for (let i = 0; i < 50 && relay.relay.peers() > 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(relay.relay.peers()).toBe(0);
  });

  it('lets other ids in but keeps the disco- prefix for devices', async () => {
    const rp = await connect(q({ id: 'shop-sdk-1', token: 'anything' }));
    expect([rp.status, rp.first]).toEqual([101, { type: 'OPEN' }]);
    rp.socket!.close();
    expect((await connect(q({ id: 'disco-relay', token: 'x' }))).status).toBe(403);
    expect((await connect(q({ id: 'DISCO-' + 'ab'.repeat(16), token: 'x' }))).status).toBe(403);
  });

  it('refuses repeated parameters (PeerJS would read the last one)', async () => {
    const token = await device.token(relay.clock.now());
    const sneaky = `${q({ id: 'harmless', token })}&id=${device.peerId}`;
    expect((await connect(sneaky)).status).toBe(400);
    expect(
      await admitPeer(`/peerjs/peerjs?${q({ id: device.peerId, token })}`, relay.clock.now()),
    ).toMatchObject({
      ok: true,
      id: device.peerId,
      device: true,
    });
  });

  it('keeps discovery off and serves PeerJS ids', async () => {
    expect((await fetch(`${relay.base}/peerjs/peerjs/peers`)).status).toBe(401);
    const id = await (await fetch(`${relay.base}/peerjs/peerjs/id`)).text();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('closes every signalling socket when the relay closes', async () => {
    const other = await startTestRelay();
    const token = await device.token(other.clock.now());
    const socket = new WebSocket(
      `${other.base.replace('http', 'ws')}/peerjs/peerjs?${q({ id: device.peerId, token })}`,
    );
    await new Promise((r) => socket.once('message', r));
    expect(other.relay.peers()).toBe(1);
    const closed = new Promise((r) => socket.once('close', r));
    await other.close();
    await closed;
    expect(other.relay.peers()).toBe(0);
  });
});
