// The relay's Node peer is the SDK's (src/sdk/peer_link/signal_message.ts): one copy, imported from here by the servers.
export * from '../../sdk/peer_link/signal_message.js';
