import { sha256 } from '@noble/hashes/sha2.js';
import { DiscoError } from '../../errors/index.js';
import { decodeCbor, type CborValue } from '../cbor/index.js';
import {
  isWellFormed,
  lookupPath,
  parseHashTree,
  reconstruct,
  verifyCertificate,
  type BlsVerifier,
  type HashTree,
} from '../certificate/index.js';
import { parseCanisterSignaturePublicKey } from './public_key.js';

export interface VerifyCanisterSignatureOptions {
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** DER BLS root key; the IC mainnet root key by default. */
  readonly rootKey?: Uint8Array;
  /**
   * Oldest acceptable certificate time in ms before `now`. `null` (the default) sets no limit: a
   * canister signature is made once (Internet Identity signs a delegation when the person signs
   * in) and used until what it signs expires, so the signed content must carry its own expiry.
   */
  readonly maxCertificateAgeMs?: number | null;
  readonly blsVerify?: BlsVerifier;
}

const invalid = (why: string, cause?: unknown) =>
  new DiscoError('ERR_IC_CANISTER_SIG_INVALID', `canister signature: ${why}`, { cause });

const equal = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Verifies a canister signature (interface spec §Canister signatures): the certificate is valid
 * (with the signing canister inside its subnet delegation's ranges), its
 * `/canister/<id>/certified_data` is `reconstruct(tree)`, and the well-formed `tree` has
 * `/sig/<SHA-256(seed)>/<SHA-256(message)>` = "". `message` is the full payload, domain
 * separator included. Certificate faults keep their ERR_IC_CERT_* codes.
 */
export async function verifyCanisterSignature(
  message: Uint8Array,
  signature: Uint8Array,
  publicKeyDer: Uint8Array,
  options: VerifyCanisterSignatureOptions,
): Promise<void> {
  const { canisterId, seed } = parseCanisterSignaturePublicKey(publicKeyDer);
  let decoded: CborValue;
  try {
    decoded = decodeCbor(signature);
  } catch (cause) {
    throw invalid('not CBOR', cause);
  }
  if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) {
    throw invalid('not a map');
  }
  if (decoded instanceof Uint8Array) throw invalid('not a map');
  const { certificate, tree: treeValue } = decoded;
  if (!(certificate instanceof Uint8Array)) throw invalid('no certificate');
  let tree: HashTree;
  try {
    tree = parseHashTree(treeValue);
  } catch (cause) {
    throw invalid('bad tree', cause);
  }
  if (!isWellFormed(tree)) throw invalid('tree not well formed');
  const sig = lookupPath(['sig', sha256(seed), sha256(message)], tree);
  if (sig.status !== 'found' || sig.value.length !== 0) throw invalid('message not in the tree');

  const verified = await verifyCertificate(certificate, {
    canisterId,
    now: options.now,
    maxAgeMs: options.maxCertificateAgeMs ?? null,
    ...(options.rootKey ? { rootKey: options.rootKey } : {}),
    ...(options.blsVerify ? { blsVerify: options.blsVerify } : {}),
  });
  const certified = verified.lookup(['canister', canisterId.toUint8Array(), 'certified_data']);
  if (certified.status !== 'found' || !equal(certified.value, reconstruct(tree))) {
    throw invalid('tree not certified by the canister');
  }
}
