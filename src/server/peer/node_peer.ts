// The relay's Node peer is the SDK's (src/sdk/peer_link/node_peer.ts): one copy, imported from here by the servers.
export * from '../../sdk/peer_link/node_peer.js';
