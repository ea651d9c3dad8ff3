export {
  DiscoClient,
  type DiscoClientOptions,
  type CallOptions,
  type KeyBAudience,
} from './client.js';
export {
  createClientIdentity,
  importClientIdentity,
  type ClientIdentity,
} from './client_identity.js';
export { fetchDeviceInfo } from './device_info.js';
export { sealRequest, openResponse, type DeviceInfo } from './messages.js';
export { fetchTransport, type Transport, type TransportResponse } from './transport.js';
export { startPairing, type Pairing, type PairedDevice } from './pairing.js';
export type { DeviceCertificatePolicy } from './device_certificate.js';
export type { VerifiedDeviceCertificate } from '../protocol/nodetrust/device_certificate.js';
export {
  checkRelayCertificate,
  discoverRelay,
  verifyRelayRecord,
  type RelayRecord,
  type ResolveTxt,
} from '../protocol/nodetrust/relay_record.js';
export { linkTransport } from './link_transport.js';
export { PeerLink, randomPeerId, type PeerLinkOptions } from './peer_link/peer_link.js';
export { type CreatePeer } from './peer_link/register_peer.js';
export {
  RelayIceConfig,
  iceFromRelay,
  linkIceOptions,
  type RelayIceConfigOptions,
} from './peer_link/relay_ice_config.js';
export {
  relaySignalling,
  type IceOptions,
  type SignallingOptions,
} from './peer_link/signalling_options.js';
export { type IceConfig } from '../protocol/tunnel/ice_config.js';
export { DiscoError, isDiscoError, type ErrorCode } from '../protocol/errors/index.js';
export {
  verifyPrincipalProof,
  type PrincipalProof,
  type VerifiedPrincipal,
  type VerifyPrincipalProofOptions,
} from '../protocol/ic/principal_proof/index.js';
export { fingerprintOf } from '../protocol/identity/device_id.js';
export {
  createInvocation,
  createRequest,
  matchResource,
  parseCertificate,
  parseRevocationList,
  verifyCertificate,
  verifySignedObject,
  type Certificate,
  type Invocation,
  type RevocationList,
  type TrustedIssuers,
  type VerifiedCapability,
  type VerifiedCertificate,
  type VerifyCertificateOptions,
  type VerifySignedObjectOptions,
} from './certificates.js';
