/**
 * The SDK's browser-only part: WebRTC data channels on the browser's own RTCPeerConnection (through
 * PeerJS), straight to the device. Node has the same in `src/sdk/node.ts`; both ends can also
 * use `fetchTransport(proxy_url)` (the relay's HTTP tunnel).
 */
import { createBrowserPeer } from './peer_link/browser_peer.js';
import { linkTransport } from './link_transport.js';
import { PeerLink, randomPeerId, type PeerLinkOptions } from './peer_link/peer_link.js';
import { linkIceOptions } from './peer_link/relay_ice_config.js';
import {
  relaySignalling,
  type IceOptions,
  type IceServersOption,
  type SignallingOptions,
} from './peer_link/signalling_options.js';
import type { Transport } from './transport.js';

export { createBrowserPeer };

export interface BrowserPeerTransportOptions
  extends Omit<PeerLinkOptions, 'createPeer' | 'refreshIce'>, IceOptions {
  /**
   * STUN/TURN servers (a list, or a function read for each new connection). Default: the relay's
   * `GET /ice-servers`, fetched before the first connection and again before its TURN
   * credentials expire. `[]` for none.
   */
  iceServers?: IceServersOption;
  /** How long to wait for the relay's signalling server to accept this peer; default 10 s. */
  serverTimeoutMs?: number;
  /** For `/ice-servers`; default the global `fetch`. */
  fetch?: typeof fetch;
}

/**
 * Opens a direct transport to the device `peerId` from a browser, signalling through the relay at
 * `relayUrl` (its PeerJS server at `/peerjs`). This end registers as `rp-<16 hex>` unless `id`
 * says otherwise. Close `link` when done.
 */
export function browserPeerTransport(
  relayUrl: string,
  peerId: string,
  opts: BrowserPeerTransportOptions = {},
): { transport: Transport; link: PeerLink } {
  const { iceServers, iceTransportPolicy, serverTimeoutMs, fetch: fetchImpl, ...rest } = opts;
  const { refreshIce, ...ice } = linkIceOptions(relayUrl, {
    ...(iceServers === undefined ? {} : { iceServers }),
    ...(iceTransportPolicy === undefined ? {} : { iceTransportPolicy }),
    ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }),
  });
  const signalling: SignallingOptions = {
    ...relaySignalling(relayUrl),
    ...ice,
    ...(serverTimeoutMs === undefined ? {} : { serverTimeoutMs }),
  };
  const link = new PeerLink({
    id: randomPeerId('rp'),
    ...rest,
    ...(refreshIce ? { refreshIce } : {}),
    createPeer: (id, token) => createBrowserPeer({ ...signalling, id, token }),
  });
  return { transport: linkTransport(link, peerId), link };
}
