export { derOf, parsePublicKey, type KeyAlgorithm, type PublicKey } from './der.js';
export { IcSubtleCrypto } from './subtle_crypto.js';
export {
  createSignatureVerifier,
  verifySignature,
  type SignatureVerifier,
} from './verify_signature.js';
