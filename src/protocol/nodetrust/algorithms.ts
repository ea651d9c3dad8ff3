import { DiscoError } from '../errors/index.js';

/**
 * Key algorithms a nodetrust certificate may carry, by the CSR's subject public key. Ed25519 is
 * not here on purpose: public ACME CAs (Let's Encrypt, pebble) sign only RSA and ECDSA keys, so a
 * device makes a separate P-256 key for its certificate and keeps its Ed25519 key as identity.
 */
export const KEY_ALGORITHMS = [
  'ecdsa-p256',
  'ecdsa-p384',
  'rsa-2048',
  'rsa-3072',
  'rsa-4096',
] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

export function isKeyAlgorithm(value: unknown): value is KeyAlgorithm {
  return (KEY_ALGORITHMS as readonly unknown[]).includes(value);
}

/**
 * The algorithms both sides support, in the client's order of preference (seed: "Issue server
 * calculates which algorithms the client and server both support, throws if none").
 */
export function negotiateAlgorithms(
  client: readonly string[],
  server: readonly KeyAlgorithm[],
): KeyAlgorithm[] {
  const common = client.filter(
    (name, i): name is KeyAlgorithm =>
      isKeyAlgorithm(name) && server.includes(name) && client.indexOf(name) === i,
  );
  if (common.length === 0) {
    throw new DiscoError('ERR_NODETRUST_NO_ALGORITHM', 'no key algorithm in common');
  }
  return common;
}

/** WebCrypto generation parameters of each algorithm (for clients that make the key). */
export function keyGenParams(algorithm: KeyAlgorithm): EcKeyGenParams | RsaHashedKeyGenParams {
  switch (algorithm) {
    case 'ecdsa-p256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'ecdsa-p384':
      return { name: 'ECDSA', namedCurve: 'P-384' };
    default:
      return {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: Number(algorithm.slice(4)),
        publicExponent: Uint8Array.of(1, 0, 1),
        hash: 'SHA-256',
      };
  }
}

/** The signature algorithm a CSR made with a key of `algorithm` is signed with. */
export function signingParams(algorithm: KeyAlgorithm): EcdsaParams | Algorithm {
  switch (algorithm) {
    case 'ecdsa-p256':
      return { name: 'ECDSA', hash: 'SHA-256' };
    case 'ecdsa-p384':
      return { name: 'ECDSA', hash: 'SHA-384' };
    default:
      return { name: 'RSASSA-PKCS1-v1_5' };
  }
}
