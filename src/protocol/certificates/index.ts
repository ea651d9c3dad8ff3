export { CAPABILITY_LIMITS } from './limits.js';
export { sameBytes } from './cbor.js';
export { parseGlob, matchResource, globMatches, globCovers, type Glob } from './glob.js';
export {
  ACTIONS,
  assertCovered,
  isAttenuation,
  parseCapabilities,
  type Action,
  type Capability,
} from './capabilities.js';
export { TAGS, ed25519Signer, verifyEd25519, type Signer } from './envelope.js';
export type { CertificateRequest, CertificateRequestInput } from './request.js';
export { sniffIcon, type InlineIcon } from './icon_image.js';
export { createRequest } from './create_request.js';
export { parseRequest } from './parse_request.js';
export {
  parseRequestLink,
  requestLink,
  requestOrigin,
  resolveRequest,
  type FetchBytes,
  type OriginStatus,
  type RequestReference,
} from './request_origin.js';
export {
  PROTOCOL_HANDLER_PARAM,
  PROTOCOL_HANDLER_URL,
  PROTOCOL_SCHEME,
  parseProtocolLink,
  protocolLinkFromQuery,
} from './protocol_link.js';
export type { Certificate, CertificateInput } from './certificate.js';
export { grantRequest, type GrantChoices } from './grant_request.js';
export { issueCertificate } from './issue_certificate.js';
export { certificateReturnUrl } from './return_url.js';
export { parseCertificate } from './parse_certificate.js';
export type { Invocation, InvocationInput } from './invocation.js';
export { createInvocation } from './create_invocation.js';
export { parseInvocation } from './parse_invocation.js';
export type { RevocationList, RevocationListInput } from './revocation_list.js';
export { signRevocationList } from './sign_revocation_list.js';
export { parseRevocationList } from './parse_revocation_list.js';
export { acceptRevocationList } from './accept_revocation_list.js';
export {
  planRevocationSync,
  type RevocationCounter,
  type RevocationSyncPlan,
} from './adopt_revocations.js';
export {
  DEVICE_REVOCATIONS_PATH,
  cachedListOf,
  checkPublishedList,
  compareCachedLists,
  listOfBody,
  peerIdOfIssuer,
  relayRevocationsUrl,
  type CacheDecision,
  type CachedRevocationList,
} from './revocation_cache.js';
export {
  verifyCapability,
  type VerifiedCapability,
  type VerifyCapabilityOptions,
} from './verify_capability.js';
export {
  verifyCertificate,
  type TrustedIssuers,
  type VerifiedCertificate,
  type VerifyCertificateOptions,
} from './verify_certificate.js';
