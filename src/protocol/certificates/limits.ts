/**
 * The numbers every capability check uses (docs/wire/certificates.md "Limits"). Times on the wire are
 * integer seconds since the epoch, as in UCAN 1.0 (`nbf`, `exp`).
 */
export const CAPABILITY_LIMITS = {
  /** Encoded envelope sizes, in bytes, refused before any decoding. */
  maxRequestBytes: 4096,
  maxCertificateBytes: 4096,
  maxInvocationBytes: 2048,
  /** An icon inside a request (its own bytes, so the device fetches nothing to show it). */
  maxIconBytes: 2048,
  maxRevocationListBytes: 40_000,
  /** Entries in a request's or certificate's capability list, and actions per entry. */
  maxCapabilities: 16,
  maxActions: 8,
  /** Characters in one resource glob or resource. */
  maxResourceLength: 512,
  /** Profile fields asked for or granted, and the length of one granted value. */
  maxProfileFields: 16,
  maxProfileValueLength: 256,
  /** A request lives at most 10 minutes: it is shown once and answered at once. */
  maxRequestLifetime: 600,
  /** A certificate lives at most 366 days; a person may shorten what the app asks for. */
  maxCertificateLifetime: 366 * 24 * 3600,
  /** An invocation lives at most 5 minutes (verifiers keep its id that long to refuse replays). */
  maxInvocationLifetime: 300,
  /** Certificates in one chain, root included (the device's certificate plus 4 delegations). */
  maxChainLength: 5,
  /** Ids in one revocation list. */
  maxRevokedIds: 1000,
  /**
   * Subjects (apps' keys) in one revocation list, each revoking all of its certificates. With
   * 1000 ids the list stays under its 40 000 bytes (1000 × 34 + 100 × 34 + 150).
   */
  maxRevokedSubjects: 100,
  /** Clock skew tolerated on every time check, in seconds (UCAN 1.0 recommends ±60 s). */
  skew: 60,
  /**
   * The revocation list's freshness window in seconds: a verifier refuses every use when the
   * newest list it holds was issued longer ago than this. 300 s = 5 minutes.
   */
  revocationFreshness: 300,
} as const;

/** Seconds since the epoch from milliseconds (the project's `Clock`). */
export const secondsOf = (ms: number): number => Math.floor(ms / 1000);
