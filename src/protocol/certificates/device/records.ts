import type { OriginStatus } from '../request_origin.js';

/**
 * The device's capability records (docs/wire/certificates.md "The device's side"), each in a
 * collection of its own, apart from the authorization engine's.
 */
export const CAP_COLLECTIONS = {
  /** Requests the person has not answered; transient (like the engine's `pending`). */
  requests: 'cap_requests',
  /** Every certificate this device issued, revoked or not. */
  certificates: 'cap_certificates',
  /** The revocation list's state: one record, {@link REVOCATION_STATE_KEY}. */
  revocations: 'cap_revocations',
} as const;

export const REVOCATION_STATE_KEY = 'device';

/** Shared with the engine: Activity reads one collection. */
export const ACTIVITY_COLLECTION = 'activity';

/** A request opened from a link or a scan, waiting in Requests. Keyed by the request id. */
export interface CapabilityRequestRecord {
  id: string;
  /** The signed envelope as received: parsed again (signature, expiry) when the person answers. */
  bytes: Uint8Array;
  origin: string;
  status: OriginStatus;
  receivedAt: number;
  /** Milliseconds: when the request itself runs out. */
  expiresAt: number;
}

/** A certificate this device issued. Keyed by the certificate id. */
export interface IssuedCertificateRecord {
  id: string;
  /** The envelope, base64url: backups are JSON. */
  certificate: string;
  /** The app's key, base64url. */
  subject: string;
  appName: string;
  appUrl: string;
  issuedAt: number;
  expiresAt: number;
  fields: string[];
  revokedAt?: number;
}

/**
 * The revocation list's state: `sequence` grows by one with every change to `revoked` or
 * `revokedSubjects`. `revokedSubjects` (apps' keys, base64url, all of whose certificates are
 * revoked) is absent when there is none, as in states and backups written before it existed.
 */
export interface RevocationState {
  sequence: number;
  revoked: string[];
  revokedSubjects?: string[];
}

/**
 * What Activity shows of an issue or a revocation (same shape as the engine's records).
 * `capability_revoke_all` is the revocation of every certificate of one app (its key is
 * `clientId`): it names the certificates it stopped in `certificateIds`, not `certificateId`.
 */
export interface CapabilityActivityRecord {
  id: string;
  at: number;
  kind: 'capability_issue' | 'capability_revoke' | 'capability_revoke_all';
  outcome: 'approved' | 'revoked';
  decidedBy: 'person';
  /** The app's key, base64url. */
  clientId: string;
  clientName: string;
  /** Each capability as `<action,…> <resource glob>`. */
  scope: string[];
  fields?: string[];
  certificateId?: string;
  certificateIds?: string[];
}
