export {
  isCanisterSignatureKey,
  parseCanisterSignaturePublicKey,
  type CanisterSignaturePublicKey,
} from './public_key.js';
export {
  verifyCanisterSignature,
  type VerifyCanisterSignatureOptions,
} from './verify_canister_signature.js';
