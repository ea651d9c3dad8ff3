/**
 * The SDK's Node-only part: WebRTC data channels through node-datachannel, straight to the device.
 * Browsers have the same in `src/sdk/browser.ts`; both can also use `fetchTransport(proxy_url)`
 * (the relay's HTTP tunnel).
 */
import { PeerDeviceLink, type PeerDeviceLinkOptions } from './peer_link/peer_device_link.js';
import { linkIceOptions } from './peer_link/relay_ice_config.js';
import { relaySignalling } from './peer_link/signalling_options.js';
import { linkTransport } from './link_transport.js';
import type { Transport } from './transport.js';

export { PeerDeviceLink, type PeerDeviceLinkOptions };
export { createNodePeer, type NodePeerOptions } from './peer_link/node_peer.js';

export interface PeerTransportOptions extends Omit<
  PeerDeviceLinkOptions,
  'host' | 'port' | 'path' | 'refreshIce'
> {
  /** For `/ice-servers`; default the global `fetch`. */
  fetch?: typeof fetch;
}

/**
 * Opens a direct transport to the device `peerId`, signalling through the relay at `relayUrl`
 * (its PeerJS path `/peerjs`). ICE servers: `opts.iceServers` when given (`[]` for none), else the
 * relay's `GET /ice-servers`, renewed before they expire. Close `link` when done.
 */
export function peerTransport(
  relayUrl: string,
  peerId: string,
  opts: PeerTransportOptions = {},
): { transport: Transport; link: PeerDeviceLink } {
  const { iceServers, iceTransportPolicy, fetch: fetchImpl, ...rest } = opts;
  const ice = linkIceOptions(relayUrl, {
    ...(iceServers === undefined ? {} : { iceServers }),
    ...(iceTransportPolicy === undefined ? {} : { iceTransportPolicy }),
    ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }),
  });
  const link = new PeerDeviceLink({ ...relaySignalling(relayUrl), ...ice, ...rest });
  return { transport: linkTransport(link, peerId), link };
}
