export * from './types.js';
export { peerIdOf, PEER_ID_PATTERN } from './peer_id.js';
export {
  makePeerToken,
  verifyPeerToken,
  PEER_TOKEN_TYP,
  PEER_TOKEN_MAX_AGE_SECONDS,
} from './peer_token.js';
export {
  encodeFrame,
  decodeFrame,
  messageFrames,
  TUNNEL_CHUNK_BYTES,
  TUNNEL_MAX_CHUNKS,
  TUNNEL_MAX_IN_FLIGHT,
  TUNNEL_CONNECT_METADATA,
  readsInlineBodies,
  type Frame,
  type RequestHead,
  type ResponseHead,
  type ChunkFrame,
  type CancelFrame,
} from './frames.js';
export { TunnelClient, type TunnelClientOptions } from './tunnel_client.js';
export { TunnelServer, type TunnelServerOptions } from './tunnel_server.js';
export {
  parseIceConfig,
  iceConfigToWire,
  fetchIceConfig,
  MAX_ICE_SERVERS,
  type IceConfig,
  type IceConfigWire,
  type IceServer,
  type IcePolicy,
} from './ice_config.js';
