export {
  KEY_ALGORITHMS,
  isKeyAlgorithm,
  negotiateAlgorithms,
  keyGenParams,
  type KeyAlgorithm,
} from './algorithms.js';
export {
  createCsr,
  generateCertificateKey,
  readCsr,
  MAX_CSR_BYTES,
  type CsrSummary,
} from './csr.js';
export { checkIssuedCertificate } from './check_answer.js';
export { checkCoverage, coveredNames, verifyProofsFor } from './coverage.js';
export {
  createIssueRequest,
  verifyIssueRequest,
  REQUEST_WINDOW_SECONDS,
  type IssueRequest,
  type IssueRequestContent,
} from './issue_request.js';
export {
  ACME_CHALLENGE_LABEL,
  addressLabel,
  classifyName,
  fullName,
  isHostLabel,
  labelOf,
  normalizeZone,
  parseLabel,
  peerLabel,
  type NodetrustName,
  type ZoneName,
} from './names.js';
export {
  obtainCertificate,
  type ObtainCertificateOptions,
  type ObtainedCertificate,
} from './obtain_certificate.js';
export {
  importPeerKey,
  parsePeerId,
  peerIdOfBytes,
  peerIdOfEd25519,
  peerIdOfKey,
  peerIdToBase32,
  type PeerId,
} from './peer_id.js';
export { CHALLENGE_BYTES, signPossession, verifyPossession } from './possession.js';
export {
  createProof,
  verifyProof,
  PROOF_SKEW_SECONDS,
  PROOF_VALIDITY_SECONDS,
  type ProofClaims,
  type VerifyProofOptions,
} from './proof.js';
export {
  checkRelayCertificate,
  createRelayRecord,
  discoverRelay,
  relayRecordName,
  verifyRelayRecord,
  MAX_RELAY_RECORD_CHARS,
  MAX_RELAY_RECORD_SECONDS,
  RELAY_RECORD_LABEL,
  type RelayRecord,
  type RelayRecordContent,
  type ResolveTxt,
  type VerifyRelayRecordOptions,
} from './relay_record.js';
export {
  checkServedRelayRecord,
  isRecordFor,
  readServedRelayRecord,
  servedRecordUrl,
  RELAY_RECORD_WELL_KNOWN,
  type ServedRelayRecord,
} from './relay_served_record.js';
export { ed25519Signer, DOMAINS, type Signer } from './signed_document.js';
export {
  callJson,
  parseInfo,
  PATHS,
  type FetchLike,
  type IssueAnswer,
  type IssueInfo,
} from './wire.js';
