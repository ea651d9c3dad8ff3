import { bytes } from '../../encoding/index.js';
import { DiscoError } from '../../errors/index.js';
import type { PublicKey } from './der.js';

/**
 * One interface for every plain signature scheme the IC has (interface spec §Ed25519 and ECDSA
 * signatures): signatures are 64 bytes r‖s (or R‖S for Ed25519), the message is the full payload
 * (domain separator included); false, never a throw, for a wrong signature.
 */
export type SignatureVerifier = (
  key: PublicKey,
  message: Uint8Array,
  signature: Uint8Array,
) => Promise<boolean>;

const ALGORITHMS = {
  ed25519: { key: { name: 'Ed25519' }, sign: { name: 'Ed25519' } },
  'ecdsa-p256': {
    key: { name: 'ECDSA', namedCurve: 'P-256' },
    sign: { name: 'ECDSA', hash: 'SHA-256' },
  },
  'ecdsa-secp256k1': {
    key: { name: 'ECDSA', namedCurve: 'K-256' },
    sign: { name: 'ECDSA', hash: 'SHA-256' },
  },
} as const;

/**
 * The verifier over SubtleCrypto for all three curves. With `subtle` given, that one for every
 * curve (it must know `namedCurve: 'K-256'`, as `IcSubtleCrypto` does). By default the native
 * WebCrypto for Ed25519 and P-256, and `IcSubtleCrypto` (webcrypto-core with @noble/curves, about
 * 40 KB gzip) for secp256k1 only, imported the first time a secp256k1 key shows up: IcSubtleCrypto
 * hands Ed25519 and P-256 to the native WebCrypto anyway, and Internet Identity users and the
 * device app never have a secp256k1 key.
 */
export function createSignatureVerifier(subtle?: SubtleCrypto): SignatureVerifier {
  let k256: Promise<SubtleCrypto> | undefined;
  const subtleFor = (algorithm: keyof typeof ALGORITHMS): Promise<SubtleCrypto> | SubtleCrypto => {
    if (subtle) return subtle;
    if (algorithm !== 'ecdsa-secp256k1') return crypto.subtle;
    return (k256 ??= import('./subtle_crypto.js').then((m) => new m.IcSubtleCrypto()));
  };
  return async (key, message, signature) => {
    if (signature.length !== 64 || !(key.algorithm in ALGORITHMS)) return false;
    const name = key.algorithm as keyof typeof ALGORITHMS;
    const algorithm = ALGORITHMS[name];
    const curves = await subtleFor(name);
    let cryptoKey: CryptoKey;
    try {
      cryptoKey = await curves.importKey('raw', bytes(key.raw), algorithm.key, false, ['verify']);
    } catch (cause) {
      throw new DiscoError('ERR_IC_KEY_INVALID', `${key.algorithm} key is not a curve point`, {
        cause,
      });
    }
    return curves.verify(algorithm.sign, cryptoKey, bytes(signature), bytes(message));
  };
}

let defaultVerifier: SignatureVerifier | undefined;

/** The default verifier (native WebCrypto; `IcSubtleCrypto` for secp256k1), made on first use. */
export const verifySignature: SignatureVerifier = (key, message, signature) =>
  (defaultVerifier ??= createSignatureVerifier())(key, message, signature);
