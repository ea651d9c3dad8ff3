// verifyBls (./bls.js) is loaded when first needed (loadBlsVerifier), not re-exported here.
export { IC_BLS_DST, loadBlsVerifier, type BlsVerifier } from './bls_suite.js';
export { inCanisterRanges } from './canister_ranges.js';
export { parseHashTree, reconstruct, type HashTree } from './hash_tree.js';
export {
  findLabel,
  flattenForks,
  isWellFormed,
  lookupPath,
  type Label,
  type LabelResult,
  type LookupResult,
} from './lookup.js';
export { parseCertificate, type Certificate } from './parse_certificate.js';
export { IC_MAINNET_ROOT_KEY_DER } from './root_key.js';
export { subnetNodeKeys } from './subnet_node_keys.js';
export {
  decodeLeb128,
  verifyCertificate,
  type CertificateScope,
  type VerifiedCertificate,
  type VerifyCertificateOptions,
} from './verify_certificate.js';
