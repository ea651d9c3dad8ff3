export { call, type CallOptions } from './call.js';
export { callContent, INGRESS_EXPIRY_MS, queryContent, readStateContent } from './content.js';
export { signEnvelope, type RequestContent, type SignedRequest } from './envelope.js';
export {
  anonymousIdentity,
  delegationIdentity,
  signerIdentity,
  type IcIdentity,
} from './identity.js';
export { query, type QueryOptions } from './query.js';
export { readSubnetNodeKeys } from './node_keys.js';
export { readState, readSubnetState } from './read_state.js';
export { requestStatusOf, type RequestStatus } from './request_status.js';
export { IcRejectError, postCbor, type AgentContext, type IcFetch } from './transport.js';
