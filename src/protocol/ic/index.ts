/**
 * The Internet Computer agent: pure, spec-linked pieces (docs/ic.md). The stable names other
 * tools and tests drive are `requestIdOf`, `Principal`, `DelegationChain`,
 * `verifyDelegationChain`, `verifyCanisterSignature` and `verifyCertificate`.
 */
export * from './cbor/index.js';
export * from './hash/index.js';
export * from './principal/index.js';
export * from './keys/index.js';
export * from './certificate/index.js';
export * from './canister_signature/index.js';
export * from './delegation/index.js';
export * from './domain_separators.js';
export { verifyIcSignature, type VerifyIcSignatureOptions } from './verify_ic_signature.js';
export * from './agent/index.js';
