import type { JWK } from 'jose';
import { DiscoError } from '../../errors/index.js';
import { isJsonObject } from '../lib/compact.js';
import { hasPrivateMembers } from '../lib/jwk.js';
import {
  ECDH_ALG,
  MIN_RSA_MODULUS_BITS,
  RSA_ALG,
  type EnvelopeAlg,
  type EnvelopeAllowList,
} from './policy.js';

/** The two key families an envelope can be made for. */
export type KeyFamily = { kind: 'rsa'; hash: string } | { kind: 'ecdh'; curve: string };

// The WebWorker lib declares only KeyAlgorithm; these are the WebCrypto dictionaries we read.
interface RsaAlgorithm extends KeyAlgorithm {
  readonly modulusLength: number;
  readonly hash: KeyAlgorithm;
}
interface EcAlgorithm extends KeyAlgorithm {
  readonly namedCurve: string;
}

function unsupported(message: string): DiscoError {
  return new DiscoError('ERR_JWE_KEY_UNSUPPORTED', message);
}

function familyOfCryptoKey(key: CryptoKey): KeyFamily | undefined {
  const { name } = key.algorithm;
  if (name === 'RSA-OAEP') {
    const rsa = key.algorithm as RsaAlgorithm;
    return rsa.modulusLength >= MIN_RSA_MODULUS_BITS
      ? { kind: 'rsa', hash: rsa.hash.name }
      : undefined;
  }
  if (name === 'ECDH') return { kind: 'ecdh', curve: (key.algorithm as EcAlgorithm).namedCurve };
  if (name === 'X25519') return { kind: 'ecdh', curve: 'X25519' };
  return undefined;
}

function text(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/**
 * Picks the key management algorithm for a recipient's public key (RFC 7518 §4.1): RSA-OAEP-256
 * for RSA keys (SHA-256, at least 2048 bits), ECDH-ES+A256KW for EC P-256 and OKP X25519 keys.
 * A JWK is reduced to its public members: `use` must be `enc` and `alg` the chosen one when
 * present; `key_ops` is not read (WebCrypto exports RSA keys with `encrypt` where JOSE would say
 * `wrapKey`, and jose refuses that).
 *
 * @throws DiscoError `ERR_JWE_KEY_UNSUPPORTED` for private keys and every other key type.
 */
export function recipientFor(key: CryptoKey | JWK): { alg: EnvelopeAlg; key: CryptoKey | JWK } {
  if (key instanceof CryptoKey) {
    if (key.type !== 'public') throw unsupported('envelopes are sealed to a public key');
    const family = familyOfCryptoKey(key);
    if (family?.kind === 'rsa' && family.hash === 'SHA-256') return { alg: RSA_ALG, key };
    if (family?.kind === 'ecdh' && (family.curve === 'P-256' || family.curve === 'X25519')) {
      return { alg: ECDH_ALG, key };
    }
    throw unsupported('recipient key must be RSA-OAEP (SHA-256, ≥2048 bits), ECDH P-256 or X25519');
  }
  if (!isJsonObject(key)) throw unsupported('recipient key must be a CryptoKey or a JWK');
  if (hasPrivateMembers(key)) {
    throw unsupported('recipient JWK must be a public key');
  }
  const { kty, crv, n, e, x, y } = key;
  let found: { alg: EnvelopeAlg; key: JWK } | undefined;
  if (kty === 'RSA' && text(n) && text(e)) found = { alg: RSA_ALG, key: { kty, n, e } };
  if (kty === 'EC' && crv === 'P-256' && text(x) && text(y)) {
    found = { alg: ECDH_ALG, key: { kty, crv, x, y } };
  }
  if (kty === 'OKP' && crv === 'X25519' && text(x)) found = { alg: ECDH_ALG, key: { kty, crv, x } };
  if (found === undefined) throw unsupported('recipient JWK must be RSA, EC P-256 or OKP X25519');
  if (key.use !== undefined && key.use !== 'enc') {
    throw unsupported('recipient JWK is not for encryption');
  }
  if (key.alg !== undefined && key.alg !== found.alg) {
    throw unsupported(`recipient JWK is not for ${found.alg}`);
  }
  return found;
}

/**
 * Checks that `key` can open envelopes at all (a private RSA-OAEP or ECDH key on an allowed curve)
 * and that it is the kind of key the envelope's `alg` was made for. Returns the key's family.
 *
 * @throws DiscoError `ERR_JWE_KEY_UNSUPPORTED` when the key is of no supported type;
 *   `ERR_JWE_DECRYPTION_FAILED` when the envelope was made for another kind of key.
 */
export function checkDecryptionKey(key: unknown, alg: string, allow: EnvelopeAllowList): KeyFamily {
  if (!(key instanceof CryptoKey) || key.type !== 'private') {
    throw unsupported('envelopes are opened with a private CryptoKey');
  }
  const family = familyOfCryptoKey(key);
  if (family === undefined || (family.kind === 'ecdh' && !allow.curves.includes(family.curve))) {
    throw unsupported('private key must be RSA-OAEP (≥2048 bits), ECDH P-256 or X25519');
  }
  // RFC 7518 §4.3: RSA-OAEP is SHA-1, RSA-OAEP-256 is SHA-256; the key's hash is fixed at import.
  const fits =
    family.kind === 'rsa'
      ? (alg === 'RSA-OAEP' && family.hash === 'SHA-1') ||
        (alg === RSA_ALG && family.hash === 'SHA-256')
      : alg.startsWith('ECDH-ES');
  if (!fits) {
    throw new DiscoError('ERR_JWE_DECRYPTION_FAILED', 'envelope was not made for this key');
  }
  return family;
}
