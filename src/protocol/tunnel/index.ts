export * from './types.js';
export { peerIdOf, PEER_ID_PATTERN } from './peer_id.js';
export {
  makePeerToken,
  verifyPeerToken,
  PEER_TOKEN_TYP,
  PEER_TOKEN_MAX_AGE_SECONDS,
} from './peer_token.js';
