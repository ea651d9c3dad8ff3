import { DiscoError } from '../../errors/index.js';

/** The public-key schemes the agent verifies (interface spec §Signatures, §Certification). */
export type KeyAlgorithm = 'ed25519' | 'ecdsa-p256' | 'ecdsa-secp256k1' | 'bls12381-g2';

/** A DER SubjectPublicKeyInfo that passed the exact prefix and length check, with its raw key. */
export interface PublicKey {
  readonly algorithm: KeyAlgorithm;
  readonly der: Uint8Array;
  readonly raw: Uint8Array;
}

const fromHex = (hex: string) => Uint8Array.from(hex.match(/../g)!, (b) => parseInt(b, 16));

/**
 * The only DER prefixes accepted, each followed by exactly `length` key bytes. A fixed prefix is
 * stricter than a general ASN.1 parser: no alternative encodings, parameters or trailing bytes.
 */
const PREFIXES: Record<KeyAlgorithm, { prefix: Uint8Array; length: number }> = {
  // RFC 8410 §4: SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (33) }
  ed25519: { prefix: fromHex('302a300506032b6570032100'), length: 32 },
  // RFC 5480: id-ecPublicKey with prime256v1, uncompressed point
  'ecdsa-p256': {
    prefix: fromHex('3059301306072a8648ce3d020106082a8648ce3d030107034200'),
    length: 65,
  },
  // RFC 5480 with secp256k1 (OID 1.3.132.0.10), uncompressed point
  'ecdsa-secp256k1': {
    prefix: fromHex('3056301006072a8648ce3d020106052b8104000a034200'),
    length: 65,
  },
  // interface spec §Certification: OIDs 1.3.6.1.4.1.44668.5.3.1.2.1 and 1.3.6.1.4.1.44668.5.3.2.1
  'bls12381-g2': {
    prefix: fromHex('308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100'),
    length: 96,
  },
};

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/** Reads a DER public key of one of `accept`'s algorithms (all of them by default). */
export function parsePublicKey(
  der: Uint8Array,
  accept: readonly KeyAlgorithm[] = ['ed25519', 'ecdsa-p256', 'ecdsa-secp256k1'],
): PublicKey {
  if (!(der instanceof Uint8Array)) throw new DiscoError('ERR_IC_KEY_INVALID', 'key: not bytes');
  for (const algorithm of accept) {
    const { prefix, length } = PREFIXES[algorithm];
    if (!startsWith(der, prefix)) continue;
    if (der.length !== prefix.length + length) {
      throw new DiscoError('ERR_IC_KEY_INVALID', `key: ${algorithm} DER of the wrong length`);
    }
    const raw = der.slice(prefix.length);
    if (length === 65 && raw[0] !== 0x04) {
      throw new DiscoError('ERR_IC_KEY_INVALID', 'key: EC point not uncompressed');
    }
    return { algorithm, der: Uint8Array.from(der), raw };
  }
  throw new DiscoError('ERR_IC_KEY_UNSUPPORTED', 'key: not a DER key of an accepted scheme');
}

/** Wraps a raw key in its DER prefix (the inverse of `parsePublicKey`). */
export function derOf(algorithm: KeyAlgorithm, raw: Uint8Array): Uint8Array {
  const { prefix, length } = PREFIXES[algorithm];
  if (raw.length !== length) throw new DiscoError('ERR_IC_KEY_INVALID', 'key: wrong raw length');
  const out = new Uint8Array(prefix.length + length);
  out.set(prefix);
  out.set(raw, prefix.length);
  return out;
}
