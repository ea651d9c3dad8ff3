import { errors } from 'jose';
import { describe, expect, it } from 'vitest';
import { DiscoError } from '../../errors/index.js';
import { fromJoseError } from './map_jose_error.js';

const claimFailed = (claim: string, reason: string): errors.JWTClaimValidationFailed =>
  new errors.JWTClaimValidationFailed('x', {}, claim, reason);

describe('fromJoseError', () => {
  it.each([
    ['open', new errors.JWEDecryptionFailed(), 'ERR_JWE_DECRYPTION_FAILED'],
    ['open', new errors.JWEInvalid('x'), 'ERR_JWE_MALFORMED'],
    ['open', new errors.JOSEAlgNotAllowed('x'), 'ERR_JWE_ALG_NOT_ALLOWED'],
    ['open', new errors.JOSENotSupported('x'), 'ERR_JWE_ALG_NOT_ALLOWED'],
    ['open', new TypeError('usages'), 'ERR_JWE_KEY_UNSUPPORTED'],
    ['open', new Error('DOMException-like'), 'ERR_JWE_DECRYPTION_FAILED'],
    ['open', 'a thrown string', 'ERR_JWE_DECRYPTION_FAILED'],
    ['seal', new TypeError('modulusLength'), 'ERR_JWE_KEY_UNSUPPORTED'],
    ['seal', new errors.JOSENotSupported('x'), 'ERR_JWE_KEY_UNSUPPORTED'],
    ['sign', new TypeError('key'), 'ERR_INVALID_INPUT'],
    ['sign', new Error('?'), 'ERR_INTERNAL'],
    ['verify', new errors.JWSInvalid('x'), 'ERR_JWT_MALFORMED'],
    ['verify', new errors.JWTInvalid('x'), 'ERR_JWT_MALFORMED'],
    ['verify', new errors.JOSEAlgNotAllowed('x'), 'ERR_JWT_ALG_NOT_ALLOWED'],
    ['verify', new errors.JWSSignatureVerificationFailed(), 'ERR_JWT_SIGNATURE_INVALID'],
    ['verify', new errors.JWTExpired('x', {}), 'ERR_JWT_EXPIRED'],
    ['verify', claimFailed('nbf', 'check_failed'), 'ERR_JWT_NOT_YET_VALID'],
    ['verify', claimFailed('iat', 'check_failed'), 'ERR_JWT_NOT_YET_VALID'],
    ['verify', claimFailed('iat', 'missing'), 'ERR_JWT_CLAIM_INVALID'],
    ['verify', claimFailed('aud', 'check_failed'), 'ERR_JWT_CLAIM_INVALID'],
    ['verify', claimFailed('typ', 'check_failed'), 'ERR_JWT_CLAIM_INVALID'],
    ['verify', new TypeError('key'), 'ERR_INVALID_INPUT'],
  ] as const)('%s: %s → %s', (context, err, code) => {
    const mapped = fromJoseError(err, context);
    expect(mapped).toBeInstanceOf(DiscoError);
    expect(mapped.code).toBe(code);
    expect(mapped.cause).toBe(err);
  });

  it('passes DiscoErrors through unchanged', () => {
    const err = new DiscoError('ERR_TOO_LARGE', 'big');
    expect(fromJoseError(err, 'open')).toBe(err);
  });
});
