/**
 * The SDK's Node-only part: WebRTC data channels through node-datachannel, straight to the device.
 * Browsers have the same in `src/sdk/browser.ts`; both can also use `fetchTransport(proxy_url)`
 * (the relay's HTTP tunnel).
 */
import { PeerDeviceLink, type PeerDeviceLinkOptions } from '../server/peer/peer_device_link.js';
import { relaySignalling } from './peer_link/signalling_options.js';
import { linkTransport } from './link_transport.js';
import type { Transport } from './transport.js';

export { PeerDeviceLink, type PeerDeviceLinkOptions };
export { createNodePeer, type NodePeerOptions } from '../server/peer/node_peer.js';

/**
 * Opens a direct transport to the device `peerId`, signalling through the relay at `relayUrl`
 * (its PeerJS path `/peerjs`). No ICE servers unless given: spread `iceFromRelay(relayUrl)` into
 * `opts` for the relay's STUN/TURN servers. Close `link` when done.
 */
export function peerTransport(
  relayUrl: string,
  peerId: string,
  opts: Omit<PeerDeviceLinkOptions, 'host' | 'port' | 'path'> = {},
): { transport: Transport; link: PeerDeviceLink } {
  const link = new PeerDeviceLink({ ...relaySignalling(relayUrl), ...opts });
  return { transport: linkTransport(link, peerId), link };
}
