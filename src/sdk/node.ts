/**
 * The SDK's Node-only part: WebRTC data channels through node-datachannel. Browsers use
 * `fetchTransport(proxy_url)` (the relay's HTTP tunnel).
 */
import { PeerDeviceLink, type PeerDeviceLinkOptions } from '../server/peer/peer_device_link.js';
import { linkTransport } from './link_transport.js';
import type { Transport } from './transport.js';

export { PeerDeviceLink, type PeerDeviceLinkOptions };

/**
 * Opens a direct transport to the device `peerId`, signalling through the relay at `relayUrl`
 * (its PeerJS path `/peerjs`). Close `link` when done.
 */
export function peerTransport(
  relayUrl: string,
  peerId: string,
  opts: Omit<PeerDeviceLinkOptions, 'host' | 'port' | 'path'> = {},
): { transport: Transport; link: PeerDeviceLink } {
  const url = new URL(relayUrl);
  const link = new PeerDeviceLink({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    path: '/peerjs',
    secure: url.protocol === 'https:',
    ...opts,
  });
  return { transport: linkTransport(link, peerId), link };
}
