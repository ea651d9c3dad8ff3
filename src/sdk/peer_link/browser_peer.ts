import { Peer } from 'peerjs';
import { registerPeer } from './register_peer.js';
import { rtcConfiguration } from './rtc_configuration.js';
import type { SignallingOptions } from './signalling_options.js';

/**
 * A PeerJS peer in a browser, on the browser's own RTCPeerConnection, registered at the signalling
 * server under `id`; ICE servers as `rtcConfiguration` reads them. ERR_TRANSPORT_FAILED as
 * `registerPeer`.
 */
export function createBrowserPeer(
  o: SignallingOptions & { id: string; token?: string },
): Promise<Peer> {
  return registerPeer(Peer, o, rtcConfiguration(o));
}
