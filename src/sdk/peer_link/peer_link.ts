import type { DataConnection } from 'peerjs';
import { DiscoError } from '../../protocol/errors/index.js';
import { TunnelClient } from '../../protocol/tunnel/tunnel_client.js';
import type { DeviceLink, TunnelRequest, TunnelResponse } from '../../protocol/tunnel/types.js';
import { LazyPeer } from './lazy_peer.js';
import { openDataConnectionHedged } from './open_data_connection.js';
import { frameBytes } from './frame_bytes.js';
import type { CreatePeer } from './register_peer.js';

/** Liveness of each data connection (docs/wire/tunnel.md "Liveness"): ping every 3 s, dead after 9 s. */
const HEARTBEAT = { everyMs: 3_000, deadMs: 9_000 };

export interface PeerLinkOptions {
  /** Overrides the liveness pings' timing (tests). */
  heartbeat?: { everyMs: number; deadMs: number };
  /**
   * Makes and registers this end's peer (Node: `createNodePeer`; browsers: `createBrowserPeer`),
   * again with the same id and token after the signalling server was lost.
   */
  createPeer: CreatePeer;
  /** This end's peer id; default `relay-<16 hex>`. */
  id?: string;
  /** How long a data connection to a device may take to open; default 5 s. */
  openTimeoutMs?: number;
  /** How long one request may take, answer included; default 30 s. */
  requestTimeoutMs?: number;
  /**
   * When the signalling server runs in this process: whether `peerId` is registered there. A
   * `false` fails at once, instead of after the server's `expire_timeout` (5 s by default).
   */
  isRegistered?: (peerId: string) => boolean;
  /**
   * Awaited before each new data connection, so that the ICE servers the peer reads then are
   * current (`RelayIceConfig.fresh`: TURN credentials expire). Its DiscoError fails the request.
   */
  refreshIce?: () => Promise<unknown>;
}

interface Entry {
  ready: Promise<{ conn: DataConnection; client: TunnelClient }>;
  conn?: DataConnection;
  client?: TunnelClient;
}

// PeerJS's own id rule (lib/util validateId), bounded.
const PEER_ID = /^(?=.{1,64}$)[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/;

/** `<prefix>-` and 2×`bytes` hex digits from the platform's CSPRNG (Node 20 and browsers). */
export function randomPeerId(prefix: string, bytes = 8): string {
  return `${prefix}-${hex(bytes)}`;
}

function hex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * Reaches devices over WebRTC data channels through PeerJS (DESIGN.md flow 1, the tunnel behind
 * `proxy_url`), in Node (the relay, the Node SDK) and in browsers (the browser SDK) alike: one
 * peer for the whole link, one cached data connection per device, opened on first use and
 * forgotten when it closes, one TunnelClient per connection. Written here rather than taken from
 * a library: PeerJS gives the signalling and the data channel, but nothing that multiplexes
 * requests over one channel, times out a WebRTC open that never reports (hedging stalled ones),
 * or tells a missing device (the server's EXPIRE) from a slow one.
 */
export class PeerLink implements DeviceLink {
  readonly id: string;
  readonly #opts: PeerLinkOptions;
  readonly #peer: LazyPeer;
  readonly #entries = new Map<string, Entry>();
  readonly #closing = new AbortController();

  constructor(opts: PeerLinkOptions) {
    this.#opts = opts;
    this.id = opts.id ?? randomPeerId('relay');
    // a token of our own, so that re-registering after a lost server keeps the same id
    const token = hex(16);
    this.#peer = new LazyPeer(() => opts.createPeer(this.id, token));
  }

  /**
   * Registers this end at the signalling server (and fetches the ICE servers) now rather than on
   * the first request.
   */
  async start(): Promise<void> {
    await Promise.all([this.#peer.get(), this.#opts.refreshIce?.()]);
  }

  /**
   * Sends `req` to the device `peerId`: see DeviceLink for the errors, plus ERR_TRANSPORT_FAILED
   * when the signalling server (or the ICE configuration) cannot be reached and ERR_INVALID_INPUT
   * for a malformed peer id.
   */
  async request(peerId: string, req: TunnelRequest, signal?: AbortSignal): Promise<TunnelResponse> {
    if (this.#closing.signal.aborted)
      throw new DiscoError('ERR_DEVICE_UNREACHABLE', 'The device link is closed.');
    if (!PEER_ID.test(peerId)) throw new DiscoError('ERR_INVALID_INPUT', 'Not a peer id.');
    if (signal?.aborted) throw new DiscoError('ERR_ABORTED', 'The request was aborted.');
    if (this.#opts.isRegistered?.(peerId) === false)
      throw new DiscoError('ERR_DEVICE_UNREACHABLE', 'The device is not online.');
    const { client } = await untilAborted(this.#entry(peerId).ready, signal);
    return client.request(req, signal);
  }

  /**
   * Drops the connection to `peerId`, failing its waiting requests with ERR_DEVICE_UNREACHABLE;
   * the next request opens a new one. For the signalling server's `disconnect` event: a device
   * that vanishes without closing its data channel (crash, lost network) is otherwise noticed
   * by WebRTC only after its consent checks expire, about 30 s.
   */
  forget(peerId: string, reason = 'The device left.'): void {
    const entry = this.#entries.get(peerId);
    if (!entry) return;
    this.#forget(peerId, entry);
    this.#drop(entry, reason);
  }

  /** Closes every data connection and the peer; waiting requests fail with ERR_DEVICE_UNREACHABLE. */
  async close(): Promise<void> {
    this.#closing.abort();
    for (const entry of this.#entries.values()) this.#drop(entry, 'The device link closed.');
    this.#entries.clear();
    await this.#peer.destroy();
  }

  #entry(peerId: string): Entry {
    const cached = this.#entries.get(peerId);
    if (cached) return cached;
    const entry = {} as Entry;
    entry.ready = this.#open(peerId, entry);
    entry.ready.catch(() => this.#forget(peerId, entry));
    this.#entries.set(peerId, entry);
    return entry;
  }

  async #open(peerId: string, entry: Entry) {
    const [peer] = await Promise.all([this.#peer.get(), this.#opts.refreshIce?.()]);
    const conn = await openDataConnectionHedged(
      peer,
      peerId,
      this.#opts.openTimeoutMs ?? 5_000,
      this.#closing.signal,
    );
    if (this.#closing.signal.aborted) {
      conn.close();
      throw new DiscoError('ERR_DEVICE_UNREACHABLE', 'The device link is closed.');
    }
    const client = new TunnelClient({
      send: (frame) => void conn.send(frame),
      timeoutMs: this.#opts.requestTimeoutMs ?? 30_000,
      // A device that silently lost its network is dropped within about 10 s (WebRTC's own
      // consent checks take about 30 s); the next request opens a new connection.
      heartbeat: {
        ...HEARTBEAT,
        ...this.#opts.heartbeat,
        onDead: (reason) => {
          this.#forget(peerId, entry);
          this.#drop(entry, reason);
        },
      },
    });
    Object.assign(entry, { conn, client });
    conn.on('data', (data) => {
      const bytes = frameBytes(data);
      if (bytes) client.receive(bytes);
    });
    const lost = () => {
      this.#forget(peerId, entry);
      this.#drop(entry, 'The connection to the device closed.');
    };
    conn.on('close', lost);
    conn.on('error', lost);
    return { conn, client };
  }

  #forget(peerId: string, entry: Entry): void {
    if (this.#entries.get(peerId) === entry) this.#entries.delete(peerId);
  }

  #drop(entry: Entry, reason: string): void {
    entry.client?.close(reason);
    entry.conn?.close();
  }
}

function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DiscoError('ERR_ABORTED', 'The request was aborted.'));
    signal.addEventListener('abort', onAbort, { once: true });
    void p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
