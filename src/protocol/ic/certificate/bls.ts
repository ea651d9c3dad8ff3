import { bls12_381 } from '@noble/curves/bls12-381.js';

/** The ciphersuite the IC signs certificates with (interface spec §Certificate). */
export const IC_BLS_DST = 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_';

/**
 * BLS signature check with short signatures: 48-byte signatures in G1, 96-byte keys in G2
 * (draft-irtf-cfrg-bls-signature-04 §2.7 CoreVerify, as the spec cites). False, never a throw,
 * for anything that does not verify, including bytes that are not curve points.
 */
export type BlsVerifier = (
  publicKey: Uint8Array,
  signature: Uint8Array,
  message: Uint8Array,
) => boolean;

export const verifyBls: BlsVerifier = (publicKey, signature, message) => {
  if (publicKey.length !== 96 || signature.length !== 48) return false;
  try {
    const short = bls12_381.shortSignatures;
    return short.verify(signature, short.hash(message, IC_BLS_DST), publicKey);
  } catch {
    return false;
  }
};
