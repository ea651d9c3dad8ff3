export {
  IC_PRINCIPAL_FIELD,
  II_SESSION,
  CHALLENGE_PATTERN,
  DISCO_IC_PRINCIPAL_PROOF,
  checkChallenge,
  principalProofMessage,
  type PrincipalProof,
  type StoredIiSession,
} from './principal_proof.js';
export {
  verifyPrincipalProof,
  type VerifyPrincipalProofOptions,
  type VerifiedPrincipal,
} from './verify_principal_proof.js';
export {
  releasePrincipalProof,
  type ReleasePrincipalProofInput,
} from './release_principal_proof.js';
