import { bls12_381 } from '@noble/curves/bls12-381.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { IC_BLS_DST, type BlsVerifier } from './bls_suite.js';

export { IC_BLS_DST, type BlsVerifier };

type G2Point = ReturnType<typeof bls12_381.G2.Point.fromBytes>;

// The same few keys (the root key, a handful of subnet keys) verify every certificate; decoding
// and validating a G2 point is about a third of a verification, so decoded keys are kept.
const keyCache = new Map<string, G2Point>();
const KEY_CACHE_SIZE = 16;
// A subnet's delegation certificate is the same in every response from that subnet: checks that
// passed are remembered by the hash of (key, signature, message), so it costs one pairing, once.
const passed = new Set<string>();
const PASSED_SIZE = 64;

const hexOf = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

function g2Key(publicKey: Uint8Array): G2Point {
  const id = hexOf(publicKey);
  let point = keyCache.get(id);
  if (!point) {
    point = bls12_381.G2.Point.fromBytes(publicKey);
    point.assertValidity();
    if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(id, point);
  }
  return point;
}

export const verifyBls: BlsVerifier = (publicKey, signature, message) => {
  if (publicKey.length !== 96 || signature.length !== 48) return false;
  const id = hexOf(sha256(new Uint8Array([...publicKey, ...signature, ...message])));
  if (passed.has(id)) return true;
  let ok: boolean;
  try {
    const short = bls12_381.shortSignatures;
    ok = short.verify(signature, short.hash(message, IC_BLS_DST), g2Key(publicKey));
  } catch {
    return false;
  }
  if (ok) {
    if (passed.size >= PASSED_SIZE) passed.delete(passed.values().next().value!);
    passed.add(id);
  }
  return ok;
};
