import { base64url } from 'jose';
import { DiscoError, type ErrorCode } from '../../errors/index.js';
import { parseScope } from '../../scope/index.js';
import { isCanonicalBase64url, isJsonObject, type JsonObject } from '../lib/compact.js';
import {
  MAX_TOKEN_LIFETIME_SECONDS,
  TOKEN_TYPES,
  type Confirmation,
  type TokenClaims,
  type TokenType,
} from './token_types.js';

const JTI_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
const MAX_TEXT_CLAIM_LENGTH = 1024;
const THUMBPRINT_LENGTH = 43; // base64url of 32 bytes, unpadded

/** Reads the injected clock (milliseconds since the epoch) as a NumericDate (RFC 7519 §2). */
export function epochSeconds(now: () => number): number {
  const ms = now();
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw new DiscoError('ERR_INVALID_INPUT', 'now() must return milliseconds since the epoch');
  }
  return Math.floor(ms / 1000);
}

/** Default `jti`: 128 bits from WebCrypto, the one randomness source of the token code. */
export function randomJti(): string {
  return base64url.encode(globalThis.crypto.getRandomValues(new Uint8Array(16)));
}

/** A SHA-256 certificate thumbprint as RFC 8705 §3.1 writes it. */
export function isThumbprint(value: unknown): value is string {
  return (
    typeof value === 'string' && value.length === THUMBPRINT_LENGTH && isCanonicalBase64url(value)
  );
}

function confirmation(cnf: unknown, fail: (message: string) => DiscoError): Confirmation {
  if (!isJsonObject(cnf) || Object.keys(cnf).length !== 1 || !isThumbprint(cnf['x5t#S256'])) {
    throw fail('"cnf" must hold exactly one "x5t#S256" SHA-256 thumbprint');
  }
  return { 'x5t#S256': cnf['x5t#S256'] };
}

/**
 * The shape rules of a Disco claims set (RFC 7519 §4.1, RFC 8693 §4.2 `scope`, RFC 7800 `cnf`),
 * shared by `issue` (which throws `ERR_INVALID_INPUT`) and `verify` (`ERR_JWT_CLAIM_INVALID`), so
 * nothing is issued that would not verify. Time checks against a clock live in `verify`.
 */
export function checkClaims(raw: JsonObject, typ: TokenType, code: ErrorCode): TokenClaims {
  const fail = (message: string): DiscoError => new DiscoError(code, message);
  const text = (name: string): string => {
    const value = raw[name];
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TEXT_CLAIM_LENGTH) {
      throw fail(`"${name}" must be a string of 1 to ${MAX_TEXT_CLAIM_LENGTH} characters`);
    }
    return value;
  };
  const [iss, sub, aud] = [text('iss'), text('sub'), text('aud')];
  const { iat, exp, jti, scope, cnf } = raw;
  if (typeof iat !== 'number' || typeof exp !== 'number' || !Number.isSafeInteger(iat) || iat < 0) {
    throw fail('"iat" and "exp" must be integer NumericDates');
  }
  if (!Number.isSafeInteger(exp) || exp <= iat) throw fail('"exp" must come after "iat"');
  if (exp - iat > MAX_TOKEN_LIFETIME_SECONDS) throw fail('token lifetime is too long');
  if (typeof jti !== 'string' || !JTI_PATTERN.test(jti)) {
    throw fail('"jti" must be 16 to 128 base64url characters');
  }
  if (typeof scope !== 'string') throw fail('"scope" must be a space-separated string');
  let scopes: string[];
  try {
    scopes = parseScope(scope);
  } catch (cause) {
    throw new DiscoError(code, '"scope" is not a valid scope', { cause });
  }
  const claims: TokenClaims = { iss, sub, aud, scope: scopes, iat, exp, jti };
  if (cnf !== undefined) return { ...claims, cnf: confirmation(cnf, fail) };
  if (typ === TOKEN_TYPES.keyB) throw fail('key B tokens must be bound to a certificate ("cnf")');
  return claims;
}
