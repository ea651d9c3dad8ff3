import type { Peer } from 'peerjs';
import { registerPeer, type PeerClass } from '../../sdk/peer_link/register_peer.js';
import { rtcConfiguration } from '../../sdk/peer_link/rtc_configuration.js';
import type { SignallingOptions as BaseSignallingOptions } from '../../sdk/peer_link/signalling_options.js';

/** Where the PeerJS signalling server is, and how data channels may connect, in Node. */
export interface SignallingOptions extends BaseSignallingOptions {
  /** Local address for ICE (node-datachannel); `127.0.0.1` on a loopback-only host. */
  bindAddress?: string;
}

export interface NodePeerOptions extends SignallingOptions {
  id: string;
  /** PeerJS token that holds the id at the server; default a random one. */
  token?: string;
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
 * (taken, bad token) or does not answer within `serverTimeoutMs`.
 */
export async function createNodePeer(o: NodePeerOptions): Promise<Peer> {
  return registerPeer(await loadPeerJs(), o, rtcConfig(o));
}
