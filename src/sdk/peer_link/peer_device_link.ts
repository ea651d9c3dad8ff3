import { PeerLink, type PeerLinkOptions } from './peer_link.js';
import { createNodePeer, type SignallingOptions } from './node_peer.js';

export interface PeerDeviceLinkOptions
  extends SignallingOptions, Omit<PeerLinkOptions, 'createPeer'> {
  /** Told about signalling messages dropped before PeerJS saw them (the relay logs them). */
  onSignalDropped?: (reason: string) => void;
}

/**
 * The SDK's PeerLink (src/sdk/peer_link/peer_link.ts) in Node: its peer is a node-datachannel one
 * (`createNodePeer`) registered with these signalling options. The relay reaches devices with it;
 * so does the Node SDK (`peerTransport`).
 */
export class PeerDeviceLink extends PeerLink {
  constructor(opts: PeerDeviceLinkOptions) {
    // it only dials out: an OFFER to it is a stranger's, dropped unread
    super({
      ...opts,
      createPeer: (id, token) => createNodePeer({ ...opts, id, token, acceptConnections: false }),
    });
  }
}
