import { jwtVerify, type JWK } from 'jose';
import { DiscoError } from '../../errors/index.js';
import { byteLimit } from '../lib/compact.js';
import { fromJoseError } from '../lib/map_jose_error.js';
import { checkClaims, epochSeconds } from './claims.js';
import { parseJws } from './parse_jws.js';
import { verificationKey } from './signing_key.js';
import {
  DEFAULT_MAX_SKEW_SECONDS,
  DEFAULT_MAX_TOKEN_BYTES,
  TOKEN_ALG,
  type TokenClaims,
  type TokenType,
} from './token_types.js';

export interface VerifyOptions {
  /** The clock, in milliseconds since the epoch (pass `Date.now`). */
  readonly now: () => number;
  /** The device id the token must come from. */
  readonly issuer: string;
  readonly typ: TokenType;
  /** When given, `aud` must equal it. */
  readonly audience?: string;
  /** Tolerated clock difference for `exp`, `nbf` and `iat`. Default 60. */
  readonly maxSkewSeconds?: number;
  /** When given, `exp - iat` must not exceed it. */
  readonly maxLifetimeSeconds?: number;
  /** When given, `cnf["x5t#S256"]` must equal this thumbprint of the presenting client. */
  readonly confirmation?: string;
  /** Longest token read. Default 16 KiB. */
  readonly maxBytes?: number;
}

const REQUIRED_CLAIMS = ['iss', 'sub', 'aud', 'scope', 'iat', 'exp', 'jti'];

function seconds(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new DiscoError('ERR_INVALID_INPUT', `${name} must be a non-negative integer`);
  }
  return value;
}

/**
 * Verifies a Disco token (RFC 7519 §7.2, RFC 8725 §3): EdDSA only, the expected `typ`, `iss` and
 * `aud`, `exp` / `nbf` / `iat` against the injected clock with bounded skew (RFC 7519 §4.1.4–6),
 * the claim shapes `issue` guarantees, and `cnf` for key B (RFC 8705 §3.1). One-use (replay) is
 * the caller's job: it gets `jti` and `exp` to remember.
 *
 * @throws DiscoError `ERR_JWT_MALFORMED`, `ERR_JWT_ALG_NOT_ALLOWED`, `ERR_JWT_SIGNATURE_INVALID`,
 *   `ERR_JWT_EXPIRED`, `ERR_JWT_NOT_YET_VALID`, `ERR_JWT_CLAIM_INVALID`, `ERR_TOO_LARGE`;
 *   `ERR_INVALID_INPUT` for bad options or a key that is not Ed25519.
 */
export async function verify(
  token: string,
  publicKey: CryptoKey | JWK,
  opts: VerifyOptions,
): Promise<TokenClaims> {
  const now = epochSeconds(opts.now);
  const skew = seconds(opts.maxSkewSeconds, DEFAULT_MAX_SKEW_SECONDS, 'maxSkewSeconds');
  const maxLifetime = seconds(opts.maxLifetimeSeconds, Infinity, 'maxLifetimeSeconds');
  parseJws(token, byteLimit(opts.maxBytes, DEFAULT_MAX_TOKEN_BYTES));
  const key = verificationKey(publicKey);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: [TOKEN_ALG],
      typ: opts.typ,
      issuer: opts.issuer,
      ...(opts.audience !== undefined && { audience: opts.audience }),
      requiredClaims: REQUIRED_CLAIMS,
      currentDate: new Date(now * 1000),
      clockTolerance: skew,
    }));
  } catch (err) {
    throw fromJoseError(err, 'verify');
  }
  const claims = checkClaims(payload, opts.typ, 'ERR_JWT_CLAIM_INVALID');
  if (claims.iat > now + skew) {
    throw new DiscoError('ERR_JWT_NOT_YET_VALID', '"iat" is in the future');
  }
  if (claims.exp - claims.iat > maxLifetime) {
    throw new DiscoError('ERR_JWT_CLAIM_INVALID', 'token lifetime exceeds maxLifetimeSeconds');
  }
  if (opts.confirmation !== undefined && claims.cnf?.['x5t#S256'] !== opts.confirmation) {
    throw new DiscoError('ERR_JWT_CLAIM_INVALID', 'token is bound to another certificate');
  }
  return claims;
}
