import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { makeDevice, startTestRelay } from './testing.js';

// Regression tests for issue #12 points 11 and 13 (signalling), each named after the attack:
// real WebSocket clients on loopback. Linux routes all of 127/8 to lo, so clients bind
// 127.0.0.2, 127.0.0.3… to come from different addresses.

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;
let relay: TestRelay;

beforeAll(async () => {
  relay = await startTestRelay({ maxPeers: 6, maxPeersPerAddress: 2 });
});
afterAll(() => relay.close());

interface Client {
  status: number;
  code?: string;
  socket?: WebSocket;
  messages: { type?: string; src?: string; payload?: { connectionId?: string } }[];
}

/** A PeerJS signalling socket from `from`: its messages, or the handshake's refusal. */
function open(
  r: TestRelay,
  id: string,
  token = 'tok',
  from = '127.0.0.1',
  headers: Record<string, string> = {},
): Promise<Client> {
  const query = new URLSearchParams({ key: 'peerjs', id, token }).toString();
  const messages: Client['messages'] = [];
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${r.base.replace('http', 'ws')}/peerjs/peerjs?${query}`, {
      localAddress: from,
      headers,
    });
    socket.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        const code = (JSON.parse(text || '{}') as { code?: string }).code;
        resolve({ status: res.statusCode ?? 0, ...(code ? { code } : {}), messages });
      });
    });
    socket.on('message', (data: Buffer) => {
      messages.push(JSON.parse(data.toString()) as Client['messages'][0]);
      if (messages.length === 1) resolve({ status: 101, socket, messages });
    });
    socket.once('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

const offer = (dst: string, i: number, sdp = 'v=0') => ({
  type: 'OFFER',
  dst,
  payload: {
    type: 'data',
    connectionId: `dc_${i}`,
    sdp: { type: 'offer', sdp },
    serialization: 'raw',
    reliable: true,
    label: `dc_${i}`,
  },
});
const settle = () => new Promise((r) => setTimeout(r, 300));
const closeAll = async (clients: Client[]) => {
  for (const c of clients) c.socket?.close();
  await vi.waitFor(() => expect(relay.relay.peers()).toBe(0));
};

describe('signalling slots (issue #12.11)', () => {
  it('one address cannot take every slot: a typed 503 ERR_RELAY_BUSY in the handshake', async () => {
    const a = await open(relay, 'attacker-1');
    const b = await open(relay, 'attacker-2');
    const c = await open(relay, 'attacker-3');
    expect([a.status, b.status]).toEqual([101, 101]);
    expect([c.status, c.code]).toEqual([503, 'ERR_RELAY_BUSY']);
    const other = await open(relay, 'someone-else', 'tok', '127.0.0.2');
    expect(other.status).toBe(101);
    await closeAll([a, b, other]);
  });

  it('a full relay refuses in the handshake with 503 ERR_RELAY_BUSY, not PeerJS text after opening', async () => {
    const clients: Client[] = [];
    for (let i = 0; i < 6; i++)
      clients.push(await open(relay, `filler-${i}`, 'tok', `127.0.0.${10 + (i >> 1)}`));
    expect(clients.map((c) => c.status)).toEqual([101, 101, 101, 101, 101, 101]);
    const late = await open(relay, 'late', 'tok', '127.0.0.20');
    expect([late.status, late.code]).toEqual([503, 'ERR_RELAY_BUSY']);
    await closeAll(clients);
  });
});

describe('signalling slots behind a proxy', () => {
  it('counts the address the trusted proxy names, as the HTTP rate limits do', async () => {
    const proxied = await startTestRelay({ trustProxy: 'loopback', maxPeersPerAddress: 1 });
    try {
      const xff = (ip: string) => ({ 'x-forwarded-for': ip });
      const a = await open(proxied, 'behind-1', 'tok', '127.0.0.1', xff('203.0.113.1'));
      const b = await open(proxied, 'behind-2', 'tok', '127.0.0.1', xff('203.0.113.2'));
      const c = await open(proxied, 'behind-3', 'tok', '127.0.0.1', xff('203.0.113.1'));
      expect([a.status, b.status, c.status, c.code]).toEqual([101, 101, 503, 'ERR_RELAY_BUSY']);
      a.socket!.close();
      b.socket!.close();
    } finally {
      await proxied.close();
    }
  });
});

describe('peer tokens open one socket, once (issue #12.13)', () => {
  it('a replayed device token cannot take over the live device', async () => {
    const device = await makeDevice();
    relay.clock.advance(1000);
    const token = await device.token(relay.clock.now());
    const live = await open(relay, device.peerId, token);
    expect(live.messages[0]).toEqual({ type: 'OPEN' });
    const replay = await open(relay, device.peerId, token, '127.0.0.3');
    expect([replay.status, replay.code]).toEqual([401, 'ERR_REQUEST_REPLAYED']);
    await settle();
    expect(live.socket!.readyState).toBe(WebSocket.OPEN);
    expect(relay.relay.hasPeer(device.peerId)).toBe(true);
    // after the device left, its old token still opens nothing
    await closeAll([live]);
    expect((await open(relay, device.peerId, token)).status).toBe(401);
  });
});

describe('signalling messages (issue #12.9, #12.11, #12.13)', () => {
  it('drops and logs malformed messages; forwards only checked ones', async () => {
    const victim = await open(relay, 'victim-a');
    const attacker = await open(relay, 'attacker-a', 'tok', '127.0.0.2');
    const bad: unknown[] = [
      null,
      7,
      'OFFER',
      [],
      { type: 'OFFER', dst: 'victim-a', payload: null },
      {
        type: 'OFFER',
        dst: 'victim-a',
        payload: { ...offer('x', 1).payload, serialization: 'nope' },
      },
      {
        type: 'OFFER',
        dst: 'victim-a',
        payload: { ...offer('x', 1).payload, serialization: '__proto__' },
      },
      { type: 'OFFER', dst: 'victim-a', payload: { ...offer('x', 1).payload, type: 'media' } },
      { type: 'OFFER', dst: 'victim-a', payload: { ...offer('x', 1).payload, connectionId: {} } },
      {
        type: 'ANSWER',
        dst: 'victim-a',
        payload: { type: 'data', connectionId: 'dc_1', sdp: null },
      },
      {
        type: 'CANDIDATE',
        dst: 'victim-a',
        payload: { type: 'data', connectionId: 'dc_1', candidate: {} },
      },
      { type: 'EXPIRE', dst: 'victim-a' },
      { type: 'LEAVE', dst: 'victim-a' },
      { type: 'OPEN', dst: 'victim-a' },
      { type: 'OFFER', dst: { id: 'victim-a' }, payload: offer('x', 1).payload },
    ];
    for (const message of bad) attacker.socket!.send(JSON.stringify(message));
    attacker.socket!.send(Buffer.from('{"type":"HEARTBEAT"}'), { binary: true });
    attacker.socket!.send(JSON.stringify(offer('victim-a', 99)));
    await vi.waitFor(() => expect(victim.messages.length).toBe(2));
    expect(victim.messages[1]).toEqual({ ...offer('victim-a', 99), src: 'attacker-a' });
    const drops = relay.logger.entries.filter((e) => e.event === 'signal.dropped');
    expect(drops.length).toBeGreaterThanOrEqual(5); // logged, then counted quietly
    await closeAll([victim, attacker]);
  });

  it('limits OFFERs from one source to one device; the rest get EXPIRE at once', async () => {
    const victim = await open(relay, 'victim-b');
    const attacker = await open(relay, 'attacker-b', 'tok', '127.0.0.2');
    for (let i = 0; i < 70; i++) attacker.socket!.send(JSON.stringify(offer('victim-b', i)));
    await vi.waitFor(() =>
      expect(attacker.messages.filter((m) => m.type === 'EXPIRE')).toHaveLength(10),
    );
    await settle();
    expect(victim.messages.filter((m) => m.type === 'OFFER')).toHaveLength(60); // offersPerSource
    await closeAll([victim, attacker]);
  });

  it('bounds what is queued for offline ids, per destination and per address', async () => {
    const attacker = await open(relay, 'attacker-c', 'tok', '127.0.0.2');
    for (let i = 0; i < 40; i++) attacker.socket!.send(JSON.stringify(offer('offline-1', i)));
    const big = 'a'.repeat(30_000);
    for (let i = 0; i < 30; i++)
      attacker.socket!.send(JSON.stringify(offer(`offline-${2 + (i % 3)}`, i, big)));
    await settle();
    const delivered: number[] = [];
    for (const id of ['offline-1', 'offline-2', 'offline-3', 'offline-4']) {
      const c = await open(relay, id, 'tok', '127.0.0.4');
      await settle();
      delivered.push(c.messages.filter((m) => m.type === 'OFFER').length);
      c.socket!.close();
    }
    expect(delivered[0]).toBe(16);
    // 256 KiB from one address: at most 8 of the 30 KiB offers, whoever they were for
    expect(delivered[1]! + delivered[2]! + delivered[3]!).toBeLessThanOrEqual(8);
    expect(attacker.messages.filter((m) => m.type === 'EXPIRE').length).toBeGreaterThanOrEqual(
      24 + 22,
    );
    await closeAll([attacker]);
  });
});
