/**
 * Explicit token types (RFC 8725 §3.11, RFC 7515 §4.1.9): a key A token cannot be replayed as a key
 * B token or as any other JWT signed by the same device key.
 */
export const TOKEN_TYPES = {
  /** Key A: the relying party may later ask for key B (DESIGN.md, flow 3). */
  keyA: 'disco-key-a+jwt',
  /** Key B: one use, short life, bound to one trusted client's certificate (flow 4). */
  keyB: 'disco-key-b+jwt',
} as const;

export type TokenType = (typeof TOKEN_TYPES)[keyof typeof TOKEN_TYPES];

/** Tokens are signed with the device's Ed25519 identity key (RFC 8037 §3.1). */
export const TOKEN_ALG = 'EdDSA';

/** Default tolerated clock difference between issuer and verifier. */
export const DEFAULT_MAX_SKEW_SECONDS = 60;

/** No token lives longer than this, whatever the caller asks. */
export const MAX_TOKEN_LIFETIME_SECONDS = 366 * 24 * 60 * 60;

/** Longest compact token read. Ours are well under 1 KiB. */
export const DEFAULT_MAX_TOKEN_BYTES = 16 * 1024;

/** Confirmation claim (RFC 7800 §3.1) holding a certificate thumbprint (RFC 8705 §3.1). */
export interface Confirmation {
  /** base64url(SHA-256(DER of the client certificate)), 43 characters. */
  readonly 'x5t#S256': string;
}

/** The claims of a Disco token, as `verify` returns them. `scope` is in normal form. */
export interface TokenClaims {
  /** The device id (RFC 7519 §4.1.1). */
  readonly iss: string;
  /** The client id (RFC 7519 §4.1.2). */
  readonly sub: string;
  readonly aud: string;
  readonly scope: readonly string[];
  /** Seconds since the epoch (RFC 7519 §2 NumericDate). */
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
  readonly cnf?: Confirmation;
}
