/**
 * The Disco envelope profile (DESIGN.md, "end-to-end envelope"): JWE compact serialization
 * (RFC 7516 §7.1) with `enc` A256GCM (RFC 7518 §5.3) and, by the recipient's key,
 * `alg` RSA-OAEP-256 (RFC 7518 §4.3) or ECDH-ES+A256KW (RFC 7518 §4.6, RFC 8037 §3.2 for X25519).
 */
export interface EnvelopeAllowList {
  /** Key management algorithms (`alg`, RFC 7518 §4.1). */
  readonly alg: readonly string[];
  /** Content encryption algorithms (`enc`, RFC 7518 §5.1). */
  readonly enc: readonly string[];
  /** Curves accepted for ECDH-ES keys: `P-256`, `P-384`, `P-521`, `X25519`. */
  readonly curves: readonly string[];
}

export const ENVELOPE_ENC = 'A256GCM';
export const RSA_ALG = 'RSA-OAEP-256';
export const ECDH_ALG = 'ECDH-ES+A256KW';
export type EnvelopeAlg = typeof RSA_ALG | typeof ECDH_ALG;

/** What `open` accepts unless a test overrides it; what `seal` always produces. */
export const ENVELOPE_ALLOW_LIST: EnvelopeAllowList = Object.freeze({
  alg: Object.freeze([RSA_ALG, ECDH_ALG]),
  enc: Object.freeze([ENVELOPE_ENC]),
  curves: Object.freeze(['P-256', 'X25519']),
});

/** Largest compact envelope `seal` produces and `open` reads, unless told otherwise: 1 MiB. */
export const DEFAULT_MAX_ENVELOPE_BYTES = 1024 * 1024;

/** RSA keys below 2048 bits are refused (RFC 7518 §4.3, NIST SP 800-131A). */
export const MIN_RSA_MODULUS_BITS = 2048;
