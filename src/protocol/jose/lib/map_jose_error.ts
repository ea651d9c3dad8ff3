import { errors } from 'jose';
import { DiscoError, type ErrorCode } from '../../errors/index.js';
import { ERROR_HELP } from '../../errors/help.js';

/** Which of our operations called jose: the same jose error means different things in each. */
export type JoseContext = 'seal' | 'open' | 'sign' | 'verify';

interface ContextMap {
  /** jose's stable `err.code` → ours. */
  readonly byCode: Readonly<Record<string, ErrorCode>>;
  /** jose throws plain TypeErrors for unusable keys (wrong type, usage, hash, modulus). */
  readonly typeError: ErrorCode;
  /** Anything else (WebCrypto DOMExceptions, …): fail closed. */
  readonly fallback: ErrorCode;
}

const MAPS: Readonly<Record<JoseContext, ContextMap>> = {
  seal: {
    byCode: {
      ERR_JOSE_NOT_SUPPORTED: 'ERR_JWE_KEY_UNSUPPORTED',
      ERR_JWK_INVALID: 'ERR_JWE_KEY_UNSUPPORTED',
      ERR_JWE_INVALID: 'ERR_INTERNAL',
    },
    typeError: 'ERR_JWE_KEY_UNSUPPORTED',
    fallback: 'ERR_JWE_KEY_UNSUPPORTED',
  },
  open: {
    byCode: {
      ERR_JWE_DECRYPTION_FAILED: 'ERR_JWE_DECRYPTION_FAILED',
      ERR_JWE_INVALID: 'ERR_JWE_MALFORMED',
      ERR_JOSE_ALG_NOT_ALLOWED: 'ERR_JWE_ALG_NOT_ALLOWED',
      ERR_JOSE_NOT_SUPPORTED: 'ERR_JWE_ALG_NOT_ALLOWED',
    },
    typeError: 'ERR_JWE_KEY_UNSUPPORTED',
    fallback: 'ERR_JWE_DECRYPTION_FAILED',
  },
  sign: {
    byCode: { ERR_JOSE_NOT_SUPPORTED: 'ERR_INVALID_INPUT' },
    typeError: 'ERR_INVALID_INPUT',
    fallback: 'ERR_INTERNAL',
  },
  verify: {
    byCode: {
      ERR_JWS_INVALID: 'ERR_JWT_MALFORMED',
      ERR_JWT_INVALID: 'ERR_JWT_MALFORMED',
      ERR_JOSE_ALG_NOT_ALLOWED: 'ERR_JWT_ALG_NOT_ALLOWED',
      ERR_JOSE_NOT_SUPPORTED: 'ERR_JWT_ALG_NOT_ALLOWED',
      ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'ERR_JWT_SIGNATURE_INVALID',
      ERR_JWT_EXPIRED: 'ERR_JWT_EXPIRED',
      ERR_JWT_CLAIM_VALIDATION_FAILED: 'ERR_JWT_CLAIM_INVALID',
    },
    typeError: 'ERR_INVALID_INPUT',
    fallback: 'ERR_JWT_SIGNATURE_INVALID',
  },
};

/**
 * The one place where jose's errors (`err.code`, see jose's `util/errors`) become DiscoErrors.
 * A DiscoError passes through unchanged; nothing else escapes as a plain Error.
 */
export function fromJoseError(err: unknown, context: JoseContext): DiscoError {
  if (err instanceof DiscoError) return err;
  const map = MAPS[context];
  let code: ErrorCode;
  if (
    err instanceof errors.JWTClaimValidationFailed &&
    (err.claim === 'nbf' || err.claim === 'iat') &&
    err.reason === 'check_failed'
  ) {
    // RFC 7519 §4.1.5: a token used before its nbf (or issued in the future) is not yet valid;
    // a missing or non-numeric nbf/iat is a claim error like any other.
    code = 'ERR_JWT_NOT_YET_VALID';
  } else if (err instanceof errors.JOSEError) {
    code = map.byCode[err.code] ?? map.fallback;
  } else if (err instanceof TypeError) {
    code = map.typeError;
  } else {
    code = map.fallback;
  }
  // A sentence for people, not the library's text ("compact serialization must have 3 parts"),
  // which stays in `cause` for logs.
  const claim = err instanceof errors.JWTClaimValidationFailed ? ` (the "${err.claim}" claim)` : '';
  const message = ERROR_HELP[code].meaning.replace(/\.$/, `${claim}.`);
  return new DiscoError(code, message, { cause: err });
}
