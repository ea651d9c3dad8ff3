export { derOf, parsePublicKey, type KeyAlgorithm, type PublicKey } from './der.js';
export {
  createSignatureVerifier,
  verifySignature,
  type SignatureVerifier,
} from './verify_signature.js';
