import { DiscoError } from '../errors/index.js';
import type { BlsVerifier } from './certificate/index.js';
import { isCanisterSignatureKey, verifyCanisterSignature } from './canister_signature/index.js';
import { parsePublicKey, verifySignature, type SignatureVerifier } from './keys/index.js';

export interface VerifyIcSignatureOptions {
  /** Milliseconds since the epoch (canister signatures check their certificate's time). */
  readonly now: number;
  /** DER BLS root of trust for canister signatures; the IC mainnet root key by default. */
  readonly rootKey?: Uint8Array;
  readonly verifier?: SignatureVerifier;
  readonly blsVerify?: BlsVerifier;
}

/**
 * Verifies `signature` over `payload` (domain separator included) under any key the IC accepts
 * from users (interface spec §Signatures): Ed25519, ECDSA P-256 or secp256k1, or a canister
 * signature. WebAuthn keys are not supported yet (ERR_IC_KEY_UNSUPPORTED).
 */
export async function verifyIcSignature(
  publicKeyDer: Uint8Array,
  payload: Uint8Array,
  signature: Uint8Array,
  options: VerifyIcSignatureOptions,
): Promise<void> {
  if (isCanisterSignatureKey(publicKeyDer)) {
    await verifyCanisterSignature(payload, signature, publicKeyDer, {
      now: options.now,
      ...(options.rootKey ? { rootKey: options.rootKey } : {}),
      ...(options.blsVerify ? { blsVerify: options.blsVerify } : {}),
    });
    return;
  }
  const key = parsePublicKey(publicKeyDer);
  const ok = await (options.verifier ?? verifySignature)(key, payload, signature);
  if (!ok) throw new DiscoError('ERR_IC_SIGNATURE_INVALID', `${key.algorithm} signature invalid`);
}
