export {
  DelegationChain,
  type Delegation,
  type DelegationChainJson,
  type SignedDelegation,
} from './delegation_chain.js';
export { createDelegation, delegationPayload, type IcSigner } from './sign_delegation.js';
export {
  verifyDelegationChain,
  type VerifiedDelegationChain,
  type VerifyDelegationChainOptions,
} from './verify_delegation_chain.js';
