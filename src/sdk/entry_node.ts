/** `disco/sdk` in Node: everything in index.ts, and the direct WebRTC transport on node-datachannel. */
export * from './index.js';
export * from './node.js';
