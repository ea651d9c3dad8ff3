import { EventEmitter } from 'node:events';
import type { Peer } from 'peerjs';
import { describe, expect, it } from 'vitest';
import { DiscoError } from '../../protocol/errors/index.js';
import { utf8 } from '../../protocol/encoding/index.js';
import { TunnelServer } from '../../protocol/tunnel/tunnel_server.js';
import type { TunnelRequest } from '../../protocol/tunnel/types.js';
import { codeOf } from '../../testing/code_of.js';
import { PeerLink, randomPeerId } from './peer_link.js';

/**
 * PeerJS as the link uses it, without WebRTC: `connect` gives a connection that opens on the next
 * tick and is answered by a TunnelServer echoing the path, or (for `offline-…` ids) the signalling
 * server's EXPIRE. The real thing is tested in src/server/peer/peer_device_link.test.ts (Node)
 * and playwright/sdk-webrtc.spec.ts (browsers).
 */
class FakeConnection extends EventEmitter {
  readonly peerConnection = null;
  readonly serialization = 'raw';
  readonly reliable = true;
  /** The device's network is gone: frames vanish both ways, and nothing says so. */
  silent = false;
  #closed = false;
  readonly #server = new TunnelServer({
    send: (frame) =>
      void setTimeout(() => !this.#closed && !this.silent && this.emit('data', frame), 0),
    handle: (req) =>
      Promise.resolve({ status: 200, headers: {}, body: utf8.encode(`echo ${req.path}`) }),
  });
  constructor(opens: boolean) {
    super();
    if (opens) setTimeout(() => this.emit('open'), 0);
  }
  send(frame: Uint8Array): void {
    if (!this.silent) this.#server.receive(frame);
  }
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#server.close();
    this.emit('close');
  }
}

class FakePeer extends EventEmitter {
  destroyed = false;
  disconnected = false;
  readonly socket = new EventEmitter();
  readonly connections: FakeConnection[] = [];
  constructor(
    readonly log: string[],
    readonly id: string,
    readonly token: string,
  ) {
    super();
  }
  connect(peerId: string, opts: { serialization: string; reliable: boolean }): FakeConnection {
    this.log.push(`connect ${peerId} ${opts.serialization} ${opts.reliable}`);
    const online = !peerId.startsWith('offline');
    const conn = new FakeConnection(online);
    if (online) this.connections.push(conn);
    else setTimeout(() => this.socket.emit('message', { type: 'EXPIRE', src: peerId }), 0);
    return conn;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }
}

const get = (path: string): TunnelRequest => ({ method: 'GET', path, headers: {} });

function fakeLink(
  opts: {
    refreshIce?: () => Promise<unknown>;
    failPeer?: boolean;
    heartbeat?: { everyMs: number; deadMs: number };
  } = {},
) {
  const log: string[] = [];
  const peers: FakePeer[] = [];
  const link = new PeerLink({
    id: 'rp-test',
    openTimeoutMs: 2_000,
    createPeer: (id, token) => {
      log.push('createPeer');
      if (opts.failPeer)
        return Promise.reject(new DiscoError('ERR_TRANSPORT_FAILED', 'PeerJS server: network.'));
      const peer = new FakePeer(log, id, token);
      peers.push(peer);
      return Promise.resolve(peer as unknown as Peer);
    },
    ...(opts.refreshIce ? { refreshIce: opts.refreshIce } : {}),
    ...(opts.heartbeat ? { heartbeat: opts.heartbeat } : {}),
  });
  return { link, log, peers };
}

describe('PeerLink (any environment), over a fake PeerJS', () => {
  it('registers one peer, with its id and a random token, and reuses one connection per device', async () => {
    const { link, log, peers } = fakeLink();
    const a = await link.request('device-a', get('/disco/one'));
    const b = await link.request('device-a', get('/disco/two'));
    expect(utf8.decode(a.body)).toBe('echo /disco/one');
    expect(utf8.decode(b.body)).toBe('echo /disco/two');
    expect(log).toEqual(['createPeer', 'connect device-a raw true']);
    expect(peers[0]?.id).toBe('rp-test');
    expect(peers[0]?.token).toMatch(/^[0-9a-f]{32}$/);
    await link.close();
    expect(peers[0]?.destroyed).toBe(true);
  });

  it('waits for fresh ICE servers before each new data connection', async () => {
    let renewals = 0;
    const { link, log, peers } = fakeLink({
      refreshIce: async () => {
        log.push(`refresh ${++renewals}`);
        await new Promise((r) => setTimeout(r, 20));
        log.push(`refreshed ${renewals}`);
      },
    });
    await link.request('device-a', get('/disco/one'));
    await link.request('device-a', get('/disco/two')); // same connection: nothing to renew
    peers[0]?.connections[0]?.close(); // the device went away; the next request reconnects
    await link.request('device-a', get('/disco/three'));
    expect(log.filter((l) => !l.startsWith('createPeer'))).toEqual([
      'refresh 1',
      'refreshed 1',
      'connect device-a raw true',
      'refresh 2',
      'refreshed 2',
      'connect device-a raw true',
    ]);
    await link.close();
  });

  it('fails with the ICE source’s ERR_TRANSPORT_FAILED without connecting, and tries again next time', async () => {
    let fail = true;
    const { link, log } = fakeLink({
      refreshIce: () =>
        fail
          ? Promise.reject(new DiscoError('ERR_TRANSPORT_FAILED', 'The relay cannot be reached.'))
          : Promise.resolve(),
    });
    expect(await codeOf(link.request('device-a', get('/disco/x')))).toBe('ERR_TRANSPORT_FAILED');
    expect(log.some((l) => l.startsWith('connect'))).toBe(false);
    fail = false;
    expect((await link.request('device-a', get('/disco/x'))).status).toBe(200);
    await link.close();
  });

  it('fails with ERR_TRANSPORT_FAILED when no peer can be registered', async () => {
    const { link } = fakeLink({ failPeer: true });
    expect(await codeOf(link.request('device-a', get('/disco/x')))).toBe('ERR_TRANSPORT_FAILED');
    await link.close();
  });

  it('fails at once with ERR_DEVICE_UNREACHABLE when the server answers EXPIRE', async () => {
    const { link } = fakeLink();
    const started = Date.now();
    expect(await codeOf(link.request('offline-device', get('/disco/x')))).toBe(
      'ERR_DEVICE_UNREACHABLE',
    );
    expect(Date.now() - started).toBeLessThan(1_000); // not the 2 s open timeout
    await link.close();
  });

  it('drops a connection whose device stopped answering pings, and reconnects on the next request', async () => {
    const { link, log, peers } = fakeLink({ heartbeat: { everyMs: 30, deadMs: 100 } });
    await link.request('device-a', get('/disco/one'));
    await new Promise((r) => setTimeout(r, 80)); // a ping or two, answered
    const conn = peers[0]!.connections[0]!;
    conn.silent = true; // no close event: the network is simply gone
    const started = Date.now();
    expect(await codeOf(link.request('device-a', get('/disco/two')))).toBe(
      'ERR_DEVICE_UNREACHABLE',
    );
    expect(Date.now() - started).toBeLessThan(1_000); // not the 30 s request timeout
    expect((await link.request('device-a', get('/disco/three'))).status).toBe(200);
    expect(log.filter((l) => l.startsWith('connect'))).toHaveLength(2);
    await link.close();
  });

  it('names itself relay-<16 hex> unless told otherwise', () => {
    const link = new PeerLink({ createPeer: () => Promise.reject(new Error('unused')) });
    expect(link.id).toMatch(/^relay-[0-9a-f]{16}$/);
    expect(randomPeerId('rp')).toMatch(/^rp-[0-9a-f]{16}$/);
    expect(randomPeerId('rp')).not.toBe(randomPeerId('rp'));
  });
});
