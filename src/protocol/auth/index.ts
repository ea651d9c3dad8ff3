export * from './records.js';
export { POLICY, KEY_B_SCOPE } from './policy.js';
export { decide, type Decision } from './decide.js';
export { revokeClient, revokeGrant, deleteRule, prune } from './revoke.js';
export { loadContext, TRUST_ANCHORS_KEY } from './load_context.js';
export { REQUEST_TYP, REQUEST_ALGS } from './client_request.js';
export { RESPONSE_TYP } from './device_response.js';
export type { AuthContext } from './context.js';
