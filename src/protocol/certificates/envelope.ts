import { sha256 } from '@noble/hashes/sha2.js';
import { b64u, bytes } from '../encoding/index.js';
import { DiscoError } from '../errors/index.js';
import { decodeCanonical, encodeCanonical, type CapValue } from './cbor.js';

/**
 * The signed envelope of every capability document, shaped like UCAN 1.0's
 * (`[signature, {type tag: payload}]`, DAG-CBOR): the signature covers the canonical bytes of the
 * inner one-key map, so the type tag is signed too and is the domain separation — a request's
 * signature can never be read as a certificate's. There is no algorithm field: version 1 is
 * Ed25519 only (no `alg` to confuse, the lesson of JWT).
 */
export const TAGS = {
  request: 'disco/cap/req/1',
  certificate: 'disco/cap/cert/1',
  invocation: 'disco/cap/inv/1',
  revocations: 'disco/cap/rev/1',
} as const;
export type Tag = (typeof TAGS)[keyof typeof TAGS];

/** Signs the message with the Ed25519 private key the caller holds (RFC 8032 §5.1.6). */
export type Signer = (message: Uint8Array) => Promise<Uint8Array>;

/** A `Signer` over a WebCrypto Ed25519 private key, extractable or not. */
export const ed25519Signer =
  (key: CryptoKey): Signer =>
  async (message) =>
    new Uint8Array(await crypto.subtle.sign('Ed25519', key, bytes(message)));

export interface Opened {
  readonly body: Record<string, CapValue>;
  /** The bytes the signature covers: canonical CBOR of `{tag: body}`. */
  readonly signed: Uint8Array;
  readonly signature: Uint8Array;
  /** SHA-256 of `signed`, base64url: the document's id. */
  readonly id: string;
}

/**
 * Encodes `{tag: body}`, signs it and wraps it. The id hashes the signed bytes, not the
 * signature, so it is fixed before signing and a re-signed document keeps its id.
 */
export async function sealEnvelope(
  tag: Tag,
  body: Record<string, CapValue | undefined>,
  sign: Signer,
) {
  const signed = encodeCanonical({ [tag]: body });
  const signature = await sign(signed);
  if (!(signature instanceof Uint8Array) || signature.length !== 64) {
    throw new DiscoError('ERR_INVALID_INPUT', 'the signer must return a 64-byte Ed25519 signature');
  }
  return { bytes: encodeCanonical([signature, { [tag]: body }]), id: idOf(signed) };
}

/** Decodes an envelope of type `tag` (canonical, at most `maxBytes`); the signature is not checked yet. */
// Async although nothing in it waits: a bad envelope stays a rejection for its callers.
// eslint-disable-next-line @typescript-eslint/require-await
export async function openEnvelope(input: Uint8Array, tag: Tag, maxBytes: number): Promise<Opened> {
  const value = decodeCanonical(input, maxBytes);
  if (!Array.isArray(value) || value.length !== 2) throw malformed('an envelope is [sig, payload]');
  const [signature, payload] = value as CapValue[];
  if (!(signature instanceof Uint8Array) || signature.length !== 64) {
    throw malformed('the signature is 64 bytes');
  }
  if (!isMap(payload) || Object.keys(payload).length !== 1 || !(tag in payload)) {
    // The same document type in another version: its signature may be of an algorithm this
    // verifier does not know, so it is told apart from a malformed document.
    const [other] = isMap(payload) ? Object.keys(payload) : [];
    if (other !== undefined && other !== tag && other.startsWith(tag.slice(0, -1))) {
      throw new DiscoError(
        'ERR_CAP_UNKNOWN_ALGORITHM',
        `capability: "${other.slice(0, 40)}" is not a version this verifier knows (${tag})`,
      );
    }
    throw malformed(`the payload is {"${tag}": …}`);
  }
  const body = payload[tag];
  if (!isMap(body)) throw malformed('the body is a map');
  // `input` is canonical (decodeCanonical re-encoded it), so it is the array head (0x82), the
  // signature's head (0x58 0x40) and 64 bytes, then exactly the canonical bytes of `payload`:
  // the signed bytes are read from there rather than encoded a second time.
  if (input[0] !== 0x82 || input[1] !== 0x58 || input[2] !== 0x40) {
    throw malformed('an envelope is [sig, payload]');
  }
  const signed = input.subarray(SIGNED_OFFSET);
  return { body, signed, signature, id: idOf(signed) };
}

const SIGNED_OFFSET = 3 + 64;

/**
 * Imported verification keys by their raw bytes, so a verifier that sees the same device and app
 * keys again does not parse them again (issue #8's bench: the import cost about as much as the
 * verify). Bounded (oldest first out); a key that fails to import is never kept. A CryptoKey holds
 * only the public key, so a hit can never make a signature verify that would not otherwise.
 */
const importedKeys = new Map<string, CryptoKey>();
const MAX_IMPORTED_KEYS = 256;

async function verificationKey(key: Uint8Array): Promise<CryptoKey> {
  const name = b64u.encode(key);
  const held = importedKeys.get(name);
  if (held) return held;
  const imported = await crypto.subtle.importKey('raw', bytes(key), 'Ed25519', false, ['verify']);
  if (importedKeys.size >= MAX_IMPORTED_KEYS) {
    importedKeys.delete(importedKeys.keys().next().value!);
  }
  importedKeys.set(name, imported);
  return imported;
}

/** For tests: how many imported keys are held. */
export const importedKeyCount = () => importedKeys.size;

/** RFC 8032 §5.1.7 verification over WebCrypto, with the group order check made explicit. */
export async function verifyEd25519(key: Uint8Array, message: Uint8Array, signature: Uint8Array) {
  // S ≥ L would give a second valid signature for the same message (malleability); some
  // implementations accept it, so it is refused here whatever the platform does.
  if (signature.length !== 64 || !scalarIsCanonical(signature.subarray(32))) return false;
  try {
    const publicKey = await verificationKey(key);
    return await crypto.subtle.verify('Ed25519', publicKey, bytes(signature), bytes(message));
  } catch {
    return false;
  }
}

/** L = 2^252 + 27742317777372353535851937790883648493, little-endian (RFC 8032 §5.1). */
const L = [
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];
function scalarIsCanonical(s: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    if (s[i]! !== L[i]!) return s[i]! < L[i]!;
  }
  return false;
}

/**
 * SHA-256 of the signed bytes, base64url. @noble/hashes, synchronously: for a few hundred bytes
 * WebCrypto's digest costs more in its asynchronous job than in hashing.
 */
export function idOf(signed: Uint8Array): string {
  return b64u.encode(sha256(signed));
}

export const isMap = (v: unknown): v is Record<string, CapValue> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

const malformed = (why: string) => new DiscoError('ERR_CAP_MALFORMED', `capability: ${why}`);
