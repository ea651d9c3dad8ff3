import type { Capability } from './capabilities.js';

/**
 * A capability certificate (issue #8 "Certificate"; the seed's `nimona.io/peer.Certificate`,
 * UCAN 1.0's delegation): `issuer` lets `subject` do `capabilities` from `notBefore` to
 * `expiresAt`. A root certificate is issued by the device identity key; a delegation is issued by
 * its parent's subject and names the parent by id. Wire names in docs/wire/certificates.md.
 */
export interface Certificate {
  /** SHA-256 of the signed bytes, base64url: what revocations and delegations name. */
  readonly id: string;
  /** The envelope as received (canonical). */
  readonly bytes: Uint8Array;
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  readonly capabilities: readonly Capability[];
  readonly notBefore: number;
  readonly expiresAt: number;
  readonly nonce: Uint8Array;
  /** The parent certificate's id, for a delegation. */
  readonly parent?: string;
  /** The id of the request this answers, so the app can match it to its pending sign-in. */
  readonly request?: string;
  /** Where the issuer publishes its revocation list (the device's tunnel URL). */
  readonly revocationUrl?: string;
  /** Profile values the person chose to give, by field name. */
  readonly profile?: Readonly<Record<string, string>>;
}

export type CertificateInput = Omit<Certificate, 'id' | 'bytes'>;

export const CERTIFICATE_FIELDS = [
  'iss',
  'sub',
  'cap',
  'nbf',
  'exp',
  'nonce',
  'prf',
  'req',
  'rev',
  'prof',
] as const;
