import type { JWK } from 'jose';
import { DiscoError } from '../../errors/index.js';
import { isJsonObject } from '../lib/compact.js';
import { hasPrivateMembers } from '../lib/jwk.js';

// No ERR_JWT_KEY_UNSUPPORTED code exists yet: a wrong key here is the caller's mistake.
function wrongKey(message: string): DiscoError {
  return new DiscoError('ERR_INVALID_INPUT', message);
}

/** Checks for a private Ed25519 CryptoKey with the `sign` usage (RFC 8037 §3.1). */
export function assertSigningKey(key: unknown): asserts key is CryptoKey {
  if (
    !(key instanceof CryptoKey) ||
    key.type !== 'private' ||
    key.algorithm.name !== 'Ed25519' ||
    !key.usages.includes('sign')
  ) {
    throw wrongKey('tokens are signed with a private Ed25519 CryptoKey with the sign usage');
  }
}

/**
 * Checks for a public Ed25519 key: a CryptoKey with the `verify` usage or an OKP JWK
 * (RFC 8037 §2). Returns a copy of a JWK, because jose freezes the JWK objects it is handed.
 */
export function verificationKey(key: unknown): CryptoKey | JWK {
  if (key instanceof CryptoKey) {
    if (
      key.type === 'public' &&
      key.algorithm.name === 'Ed25519' &&
      key.usages.includes('verify')
    ) {
      return key;
    }
  } else if (
    isJsonObject(key) &&
    key.kty === 'OKP' &&
    key.crv === 'Ed25519' &&
    typeof key.x === 'string' &&
    !hasPrivateMembers(key)
  ) {
    return { ...key };
  }
  throw wrongKey('tokens are verified with a public Ed25519 CryptoKey or OKP JWK');
}
