import { bytes } from '../../encoding/index.js';
import { DiscoError } from '../../errors/index.js';
import type { PublicKey } from './der.js';
import { IcSubtleCrypto } from './subtle_crypto.js';

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
 * The verifier over one SubtleCrypto for all three curves: `IcSubtleCrypto` by default (native
 * WebCrypto for Ed25519 and P-256, @noble/curves for secp256k1), or any SubtleCrypto that knows
 * `namedCurve: 'K-256'`.
 */
export function createSignatureVerifier(
  subtle: SubtleCrypto = new IcSubtleCrypto(),
): SignatureVerifier {
  return async (key, message, signature) => {
    if (signature.length !== 64 || !(key.algorithm in ALGORITHMS)) return false;
    const algorithm = ALGORITHMS[key.algorithm as keyof typeof ALGORITHMS];
    let cryptoKey: CryptoKey;
    try {
      cryptoKey = await subtle.importKey('raw', bytes(key.raw), algorithm.key, false, ['verify']);
    } catch (cause) {
      throw new DiscoError('ERR_IC_KEY_INVALID', `${key.algorithm} key is not a curve point`, {
        cause,
      });
    }
    return subtle.verify(algorithm.sign, cryptoKey, bytes(signature), bytes(message));
  };
}

let defaultVerifier: SignatureVerifier | undefined;

/** The default verifier (one `IcSubtleCrypto` over the global WebCrypto, made on first use). */
export const verifySignature: SignatureVerifier = (key, message, signature) =>
  (defaultVerifier ??= createSignatureVerifier())(key, message, signature);
