import { SignJWT, type JWTPayload } from 'jose';
import { DiscoError } from '../../errors/index.js';
import { formatScope, type ScopeInput } from '../../scope/index.js';
import { fromJoseError } from '../lib/map_jose_error.js';
import { checkClaims, epochSeconds, randomJti } from './claims.js';
import { assertSigningKey } from './signing_key.js';
import { TOKEN_ALG, TOKEN_TYPES, type Confirmation, type TokenType } from './token_types.js';

export interface IssueInput {
  /** The device id. */
  readonly iss: string;
  /** The client id. */
  readonly sub: string;
  readonly aud: string;
  /** Any form {@link parseScope} accepts; written as a space-separated string. */
  readonly scope: ScopeInput;
  /** `exp` = `iat` + this; a positive integer, at most 366 days. */
  readonly lifetimeSeconds: number;
  /** Required for key B: the trusted client's certificate thumbprint (RFC 8705 §3.1). */
  readonly cnf?: Confirmation;
}

export interface IssueOptions {
  readonly typ: TokenType;
  /** The clock, in milliseconds since the epoch (pass `Date.now`). */
  readonly now: () => number;
  /** Source of `jti`; default 128 random bits from `crypto.getRandomValues`, base64url. */
  readonly randomId?: () => string;
  /** `kid` header (RFC 7515 §4.1.4) naming the device key. */
  readonly kid?: string;
}

const TYPES: readonly string[] = Object.values(TOKEN_TYPES);

/**
 * Issues a Disco token: a JWT (RFC 7519 §7.1) in JWS compact serialization signed with the
 * device's Ed25519 identity key (`alg` EdDSA, RFC 8037 §3.1), explicitly typed (RFC 8725 §3.11),
 * with `iss`, `sub`, `aud`, `scope`, `iat`, `exp`, `jti` and, for key B, `cnf` (RFC 7800 §3.1).
 * The key may be non-extractable.
 *
 * @throws DiscoError `ERR_INVALID_INPUT` for a claim `verify` would refuse or an unusable key.
 */
export async function issue(
  input: IssueInput,
  privateKey: CryptoKey,
  opts: IssueOptions,
): Promise<string> {
  assertSigningKey(privateKey);
  if (!TYPES.includes(opts.typ)) throw new DiscoError('ERR_INVALID_INPUT', 'unknown token type');
  if (opts.kid !== undefined && (typeof opts.kid !== 'string' || opts.kid.length === 0)) {
    throw new DiscoError('ERR_INVALID_INPUT', 'kid must be a non-empty string');
  }
  const { lifetimeSeconds } = input;
  if (!Number.isSafeInteger(lifetimeSeconds) || lifetimeSeconds <= 0) {
    throw new DiscoError('ERR_INVALID_INPUT', 'lifetimeSeconds must be a positive integer');
  }
  const iat = epochSeconds(opts.now);
  const payload: JWTPayload = {
    iss: input.iss,
    sub: input.sub,
    aud: input.aud,
    scope: formatScope(input.scope),
    iat,
    exp: iat + lifetimeSeconds,
    jti: (opts.randomId ?? randomJti)(),
  };
  if (input.cnf !== undefined) payload.cnf = { 'x5t#S256': input.cnf['x5t#S256'] };
  checkClaims(payload, opts.typ, 'ERR_INVALID_INPUT');
  const header = {
    alg: TOKEN_ALG,
    typ: opts.typ,
    ...(opts.kid !== undefined && { kid: opts.kid }),
  };
  try {
    return await new SignJWT(payload).setProtectedHeader(header).sign(privateKey);
  } catch (err) {
    throw fromJoseError(err, 'sign');
  }
}
