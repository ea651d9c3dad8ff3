export { derOf, parsePublicKey, type KeyAlgorithm, type PublicKey } from './der.js';
// IcSubtleCrypto is imported from './subtle_crypto.js' where needed: re-exported here it would
// ship with every use of the agent (verify_signature.ts loads it for secp256k1 only).
export {
  createSignatureVerifier,
  verifySignature,
  type SignatureVerifier,
} from './verify_signature.js';
