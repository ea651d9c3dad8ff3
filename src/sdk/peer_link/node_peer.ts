import type { Peer } from 'peerjs';
import { registerPeer, type PeerClass } from './register_peer.js';
import { rtcConfiguration } from './rtc_configuration.js';
import type { SignallingOptions as BaseSignallingOptions } from './signalling_options.js';
import { checkServerMessage } from './signal_message.js';

/** Where the PeerJS signalling server is, and how data channels may connect, in Node. */
export interface SignallingOptions extends BaseSignallingOptions {
  /** Local address for ICE (node-datachannel); `127.0.0.1` on a loopback-only host. */
  bindAddress?: string;
}

export interface NodePeerOptions extends SignallingOptions {
  id: string;
  /** PeerJS token that holds the id at the server; default a random one. */
  token?: string;
  /**
   * Whether other peers may open data connections to this one (default true). A peer that only
   * dials out (the relay's link, the Node SDK) says false: an OFFER to it is dropped before
   * PeerJS builds an RTCPeerConnection for a stranger.
   */
  acceptConnections?: boolean;
  /** Told about every signalling message dropped before PeerJS saw it (default: nothing). */
  onSignalDropped?: (reason: string) => void;
}

// Shared through the global symbol registry, so that every copy of this module (test runners
// load one per file) agrees on which configurations are ours and sets the globals only once.
const MARK = Symbol.for('disco.node-peer.rtc-config');
const LOADED = Symbol.for('disco.node-peer.loaded');
type Globals = typeof globalThis & { [LOADED]?: Promise<PeerClass> };

/**
 * PeerJS's `Peer` class for Node. PeerJS reads `RTCPeerConnection` when it is first imported
 * (its support check builds a connection with the public Google/peerjs.com ICE servers) and
 * `WebSocket` when a peer starts, so the globals are set first and `peerjs` is imported after:
 * node-datachannel's W3C polyfill, with a constructor that replaces any configuration not made
 * by {@link createNodePeer} by `{ iceServers: [] }`, and a `ws` WebSocket that swallows `'error'`
 * (PeerJS sets no error handler; `ws` would throw and end the process on a refused connection).
 */
export function loadPeerJs(): Promise<PeerClass> {
  const g = globalThis as Globals;
  return (g[LOADED] ??= install());
}

async function install(): Promise<PeerClass> {
  const polyfill = await import('node-datachannel/polyfill');
  const { WebSocket } = await import('ws');
  class OwnIcePeerConnection extends polyfill.RTCPeerConnection {
    constructor(config?: RTCConfiguration) {
      const ours = config && (config as Record<symbol, unknown>)[MARK] === true;
      super(
        ours
          ? { ...config, iceServers: (config.iceServers ?? []).map(forLibdatachannel) }
          : { iceServers: [] },
      );
    }
  }
  class QuietWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      this.on('error', () => {}); // PeerJS learns of it from 'close'
    }

    // Every listener of PeerJS's socket reads `message.type`: a server message that is not a
    // JSON object (`null`, `7`) would throw there, inside ws's parser, and end the process.
    // The peer checks the rest (guardedPeerClass).
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'message' && !isJsonObject(args[0], args[1])) return false;
      return super.emit(event, ...args);
    }
  }
  Object.assign(globalThis, {
    RTCPeerConnection: OwnIcePeerConnection,
    RTCSessionDescription: polyfill.RTCSessionDescription,
    RTCIceCandidate: polyfill.RTCIceCandidate,
    WebSocket: QuietWebSocket,
  });
  // peerjs's Node entry is CommonJS: the class is `Peer` on the namespace or on its default.
  const mod = (await import('peerjs')) as unknown as {
    Peer?: PeerClass;
    default?: { Peer?: PeerClass };
  };
  const PeerCtor = mod.Peer ?? mod.default?.Peer;
  if (!PeerCtor) throw new Error('peerjs exports no Peer class');
  return PeerCtor;
}

function isJsonObject(data: unknown, isBinary: unknown): boolean {
  if (isBinary !== false || !(Buffer.isBuffer(data) || Array.isArray(data))) return false;
  try {
    const text = Buffer.isBuffer(data)
      ? data.toString()
      : Buffer.concat(data as Buffer[]).toString();
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

type MessageHandler = { _handleMessage: (this: Peer, message: unknown) => void };

/**
 * PeerJS's Peer, with every server message checked (`checkServerMessage`) before PeerJS reads
 * it, and the peer's own rules applied: no OFFERs to a peer that only dials out, no ANSWER or
 * CANDIDATE for a connection it does not have (PeerJS would keep those, unbounded, for a
 * connection that may come later). A message PeerJS still throws on is dropped too: one
 * stranger's message must never end the relay (issue #12.9).
 */
export function guardedPeerClass(
  Base: PeerClass,
  opts: Pick<NodePeerOptions, 'acceptConnections' | 'onSignalDropped'>,
): PeerClass {
  const handle = (Base.prototype as unknown as MessageHandler)._handleMessage;
  if (typeof handle !== 'function') throw new Error('peerjs: no Peer._handleMessage to guard');
  const dropped = (reason: string) => opts.onSignalDropped?.(reason);
  class GuardedPeer extends Base {
    _handleMessage(raw: unknown): void {
      const check = checkServerMessage(raw);
      if (!check.ok) return dropped(check.reason);
      const { message } = check;
      if (message.type === 'OFFER' && opts.acceptConnections === false)
        return dropped('offer to a peer that accepts none');
      if (
        (message.type === 'ANSWER' || message.type === 'CANDIDATE') &&
        !this.getConnection(message.src!, String(message.payload!.connectionId))
      )
        return dropped('no such connection');
      try {
        handle.call(this, message);
      } catch {
        dropped('peerjs threw');
      }
    }
  }
  return GuardedPeer;
}

/**
 * A TURN server entry as node-datachannel needs it. Its polyfill writes each server as one URL,
 * `turn:<username>:<credential>@host:port`, which libdatachannel splits at the first `:` and
 * then percent-decodes: coturn's REST-API usernames (`<expiry>:<label>`) and base64 credentials
 * (`/`, `+`, `=`) must be percent-encoded, or the TURN server refuses them (measured: no relayed
 * candidate at all). Browsers take the fields as they are.
 */
export function forLibdatachannel(server: RTCIceServer): RTCIceServer {
  if (server.username === undefined || typeof server.credential !== 'string') return server;
  return {
    ...server,
    username: encodeURIComponent(server.username),
    credential: encodeURIComponent(server.credential),
  };
}

/**
 * An RTCConfiguration that the installed constructor passes through (TURN credentials encoded
 * for libdatachannel, see {@link forLibdatachannel}): the SDK's
 * (`rtcConfiguration`: ICE servers re-read for each connection) plus the local address.
 */
export function rtcConfig(o: SignallingOptions): RTCConfiguration {
  const config: RTCConfiguration & { bindAddress?: string } = rtcConfiguration(o);
  if (o.bindAddress) config.bindAddress = o.bindAddress;
  // not enumerable: the polyfill spreads the configuration into the native binding
  Object.defineProperty(config, MARK, { value: true, enumerable: false });
  return config;
}

/**
 * A PeerJS peer in Node, registered at the signalling server under `id`, resolved once the
 * server has accepted it. ERR_TRANSPORT_FAILED when the server is unreachable, refuses the id
 * (taken, bad token) or does not answer within `serverTimeoutMs`. Every message from the server
 * is checked before PeerJS reads it ({@link guardedPeerClass}).
 */
export async function createNodePeer(o: NodePeerOptions): Promise<Peer> {
  return registerPeer(guardedPeerClass(await loadPeerJs(), o), o, rtcConfig(o));
}
