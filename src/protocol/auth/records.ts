import type { ParsedCertificate } from '../x509/index.js';

/** Store collections of the authorization engine. All but `seen` are part of a backup. */
export const COLLECTIONS = {
  clients: 'clients',
  grants: 'grants',
  keyB: 'key_b',
  pending: 'pending',
  rules: 'rules',
  activity: 'activity',
  /** Replay cache: request ids and states seen, until they expire. */
  seen: 'seen',
  settings: 'settings',
  /**
   * Which grant a company holds now (key: client id), so a key A request finds the grant it
   * replaces in one read instead of listing every grant ever made (issue #13). Derived: not
   * backed up; without it the grants are listed once and it is written again.
   */
  activeGrant: 'active_grant',
} as const;

/** `COLLECTIONS.activeGrant`: the grant a company holds now (it may since be revoked or run out). */
export interface ActiveGrantRecord {
  clientId: string;
  grantId: string;
}

/** What the consent screen shows of a certificate. */
export interface CertificateView {
  subject: string;
  commonName: string | null;
  issuer: string;
  notBefore: number;
  notAfter: number;
  thumbprint: string;
  selfSigned: boolean;
  /** `anchor`: chains to a trusted authority; `pinned`: a person approved this exact certificate. */
  trust: 'anchor' | 'pinned' | 'unverified';
}

export function certificateView(
  c: ParsedCertificate,
  trust: CertificateView['trust'],
): CertificateView {
  return {
    subject: c.subject,
    commonName: c.subjectCommonName,
    issuer: c.issuer,
    notBefore: c.notBefore.getTime(),
    notAfter: c.notAfter.getTime(),
    thumbprint: c.thumbprint,
    selfSigned: c.selfSigned,
    trust,
  };
}

export interface ClientRecord {
  clientId: string;
  clientName: string;
  isTrusted: boolean;
  /** PEM of the pinned certificate: requests must be signed by its key. */
  certificatePem: string;
  certificate: CertificateView;
  /** base64url SHA-256 of the client secret (a random string of ≥ 32 characters). */
  secretHash: string;
  registeredAt: number;
  /** The pairing challenge the client proved it could decrypt, if any. */
  challengeProved: boolean;
}

export interface GrantRecord {
  /** = the `jti` of key A. */
  grantId: string;
  clientId: string;
  scope: string[];
  createdAt: number;
  expiresAt: number;
  revokedAt?: number;
  /**
   * The grant that took this one's place: a new key A for the same company replaces the one it
   * had (each reconnect used to add an identical permission). Set with `revokedAt`.
   */
  replacedBy?: string;
}

export interface KeyBRecord {
  jti: string;
  grantId: string;
  /** The shop that asked for it. */
  clientId: string;
  /** The trusted client it is for, and that client's certificate thumbprint. */
  audience: string;
  audienceThumbprint: string;
  scope: string[];
  expiresAt: number;
  usedAt?: number;
}

export type ConsentKind = 'register' | 'key_a' | 'key_b' | 'data';

/**
 * What carrying out a request needs, by kind. Every kind keeps the request's `jti`: the answer
 * names it (`in_response_to`).
 */
export type PendingWork =
  | {
      kind: 'register';
      jti: string;
      /** The certificate to pin, and to seal the answer to. */
      certificatePem: string;
      secretHash: string;
      challengeProved: boolean;
    }
  | { kind: 'key_a'; jti: string }
  | { kind: 'key_b'; jti: string }
  | {
      kind: 'data';
      jti: string;
      /** The `jti` of the key B presented (spent with the request). */
      keyB: string;
      /** The company's challenge for `ic_principal` (src/protocol/ic/principal_proof). */
      icChallenge?: string;
    };

/** A request waiting for the person (or decided, until the client collects the answer). */
export interface PendingRecord {
  id: string;
  kind: ConsentKind;
  status: 'pending' | 'approved' | 'denied';
  /** When its client first collected the answer (poll.ts keeps it a minute for a lost answer). */
  collectedAt?: number;
  createdAt: number;
  expiresAt: number;
  lastPollAt: number;
  /** Who asks. For register, the client as it presents itself. */
  client: {
    clientId: string;
    clientName: string;
    isTrusted: boolean;
    certificate: CertificateView;
  };
  scope: string[];
  /**
   * key_b: who will receive the data: `clientName` when it is registered with the device, else
   * what the asking company states it is (its claim: stated_partner.ts). data: via which grant.
   */
  audience?: {
    clientId: string;
    clientName?: string;
    thumbprint: string;
    statedName?: string;
    statedUri?: string;
  };
  via?: { clientId: string; clientName: string };
  grantId?: string;
  /** register: the pairing this company came through, and whether its QR code confirmed it. */
  pairing?: { uid: string; confirmedOutOfBand: boolean };
  /** What completing the request needs (never shown); its `kind` is the record's. */
  work: PendingWork;
  /** The sealed answer for the client, once decided. */
  response?: string;
  decidedBy?: 'person' | 'rule';
}

export interface RuleRecord {
  id: string;
  clientId: string;
  kind: Exclude<ConsentKind, 'register'>;
  scope: string[];
  /** key_b rules: only for this audience client… */
  audience?: string;
  /** …holding this certificate (`x5t#S256`), and only once it is registered with it. */
  audienceThumbprint?: string;
  createdAt: number;
}

export interface ActivityRecord {
  id: string;
  at: number;
  kind: ConsentKind | 'revoke_client' | 'revoke_grant';
  /** `withdrawn`: the company gave the request up before the person answered (withdraw.ts). */
  outcome: 'approved' | 'denied' | 'revoked' | 'withdrawn';
  decidedBy: 'person' | 'rule' | 'company';
  clientId: string;
  clientName: string;
  scope: string[];
  /** data releases: the fields sent. */
  fields?: string[];
  grantId?: string;
  via?: string;
  audience?: string;
}
