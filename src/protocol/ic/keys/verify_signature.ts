import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytes } from '../../encoding/index.js';
import type { PublicKey } from './der.js';

/**
 * One interface for every plain signature scheme the IC has (interface spec §Ed25519 and ECDSA
 * signatures): signatures are 64 bytes r‖s (or R‖S for Ed25519), the message is the full payload
 * (domain separator included); false, never a throw, for a wrong signature.
 *
 * Why not a webcrypto-core provider for secp256k1: the agent only verifies, and a provider must
 * also implement key generation, import/export in four formats and a CryptoKey subclass, and
 * pulls asn1js and @peculiar/json-schema into the service worker; one function per algorithm over
 * WebCrypto (Ed25519, P-256) and @noble/curves (secp256k1, which WebCrypto lacks) is smaller.
 */
export type SignatureVerifier = (
  key: PublicKey,
  message: Uint8Array,
  signature: Uint8Array,
) => Promise<boolean>;

/** The verifier over `subtle` (WebCrypto by default) and @noble/curves for secp256k1. */
export function createSignatureVerifier(subtle: SubtleCrypto = crypto.subtle): SignatureVerifier {
  return async (key, message, signature) => {
    if (signature.length !== 64) return false;
    switch (key.algorithm) {
      case 'ed25519': {
        // WebCrypto's Ed25519 is RFC 8032 §5.1.7 verification (canonical S, no cofactor leniency).
        const cryptoKey = await subtle.importKey('raw', bytes(key.raw), 'Ed25519', false, [
          'verify',
        ]);
        return subtle.verify('Ed25519', cryptoKey, bytes(signature), bytes(message));
      }
      case 'ecdsa-p256': {
        const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
        const cryptoKey = await subtle.importKey('raw', bytes(key.raw), algorithm, false, [
          'verify',
        ]);
        return subtle.verify(
          { name: 'ECDSA', hash: 'SHA-256' },
          cryptoKey,
          bytes(signature),
          bytes(message),
        );
      }
      case 'ecdsa-secp256k1':
        try {
          // The IC accepts high-S signatures, so lowS is off; prehash hashes with SHA-256.
          return secp256k1.verify(signature, message, key.raw, { lowS: false, prehash: true });
        } catch {
          return false;
        }
      default:
        return false;
    }
  };
}

/** The default verifier over the global WebCrypto. */
export const verifySignature: SignatureVerifier = (key, message, signature) =>
  createSignatureVerifier()(key, message, signature);
