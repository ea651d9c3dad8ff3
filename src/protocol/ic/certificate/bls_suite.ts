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

/**
 * The BLS check of bls.ts, imported the first time a certificate is verified: BLS12-381 from
 * @noble/curves is the largest part of the agent (about 25 KB gzip), and signing in, building and
 * signing requests, and checking Ed25519 or ECDSA delegations never need it.
 */
export const loadBlsVerifier = (): Promise<BlsVerifier> =>
  import('./bls.js').then((m) => m.verifyBls);
