import { LazyPeer as NeutralLazyPeer } from '../../sdk/peer_link/lazy_peer.js';
import { createNodePeer, type NodePeerOptions } from './node_peer.js';

/** The SDK's LazyPeer (src/sdk/peer_link/lazy_peer.ts) over one Node peer (`createNodePeer`). */
export class LazyPeer extends NeutralLazyPeer {
  constructor(opts: NodePeerOptions) {
    super(() => createNodePeer(opts));
  }
}
