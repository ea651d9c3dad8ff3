export {
  CAP_COLLECTIONS,
  type CapabilityActivityRecord,
  type CapabilityRequestRecord,
  type IssuedCertificateRecord,
  type RevocationState,
} from './records.js';
export type { CapabilityDeps, DeviceSigner } from './deps.js';
export { acceptCapabilityRequest } from './accept_request.js';
export {
  approveCapabilityRequest,
  refuseCapabilityRequest,
  type ApproveChoices,
} from './approve_request.js';
export { listIssuedCertificates, revokeCapabilityCertificate } from './revoke_certificate.js';
export { revokeCapabilitySubject } from './revoke_subject.js';
export { deviceRevocationList } from './device_revocation_list.js';
export { deviceSigner } from './device_signer.js';
export { CAPABILITY_BACKUP_CHECKS, CAPABILITY_NOT_BACKED_UP } from './backup_checks.js';
export {
  publishDeviceRevocations,
  type PublishOutcome,
  type RevocationRelay,
} from './publish_revocations.js';
export { relayRevocationCache, type FetchLike } from './relay_revocations.js';
