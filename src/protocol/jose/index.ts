export { seal, type SealOptions } from './envelope/seal.js';
export { open, type OpenOptions, type OpenedEnvelope } from './envelope/open.js';
export { sealJson } from './envelope/seal_json.js';
export { openJson } from './envelope/open_json.js';
export type { EnvelopeHeader } from './envelope/parse_envelope.js';
export {
  ENVELOPE_ALLOW_LIST,
  DEFAULT_MAX_ENVELOPE_BYTES,
  type EnvelopeAllowList,
} from './envelope/policy.js';
export { issue, type IssueInput, type IssueOptions } from './token/issue.js';
export { verify, type VerifyOptions } from './token/verify.js';
export { verifyJws, type VerifiedJws } from './token/verify_jws.js';
export {
  TOKEN_TYPES,
  TOKEN_ALG,
  DEFAULT_MAX_SKEW_SECONDS,
  DEFAULT_MAX_TOKEN_BYTES,
  MAX_TOKEN_LIFETIME_SECONDS,
  type TokenType,
  type TokenClaims,
  type Confirmation,
} from './token/token_types.js';
