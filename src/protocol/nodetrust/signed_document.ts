import { b64u, bytes, utf8 } from '../encoding/index.js';
import { DiscoError } from '../errors/index.js';
import {
  decodeCbor,
  encodeCbor,
  type CborInput,
  type CborLimits,
  type CborValue,
} from '../ic/cbor/index.js';
import { importPeerKey, peerIdOfKey, type PeerId } from './peer_id.js';

/**
 * Nodetrust's signed documents (proofs, issue requests): the claims are a CBOR map (RFC 8949,
 * written by cbor-x through the strict profile in `ic/cbor`), carried as bytes inside a CBOR
 * envelope `{payload: bstr, sig: bstr}`, and sent as base64url text. The signature is Ed25519
 * (RFC 8032) over `utf8(domain) ‖ 0x00 ‖ payload`: the domain keeps a signature made for one
 * purpose (a proof-of-possession challenge, say) from being replayed as another (a proof).
 * Signing the exact payload bytes means nobody needs a canonical re-encoding.
 */
export const DOMAINS = {
  proof: 'disco-nodetrust-proof-v1',
  possession: 'disco-nodetrust-possession-v1',
  issue: 'disco-nodetrust-issue-v1',
  relay: 'disco-nodetrust-relay-v1',
} as const;
export type Domain = (typeof DOMAINS)[keyof typeof DOMAINS];

/** Longest document accepted (base64url characters): a few proofs and a CSR fit easily. */
export const MAX_DOCUMENT_CHARS = 32_768;
const LIMITS: CborLimits = { maxBytes: MAX_DOCUMENT_CHARS, maxDepth: 8, maxItems: 1_000 };

/** Something that signs with an Ed25519 key: a device's identity, a proof server. */
export interface Signer {
  readonly peer: PeerId;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** A Signer over a WebCrypto Ed25519 key pair (the private key may be non-extractable). */
export async function ed25519Signer(
  keys: { privateKey: CryptoKey; publicKey: CryptoKey },
  subtle = crypto.subtle,
): Promise<Signer> {
  const peer = await peerIdOfKey(keys.publicKey, subtle);
  return {
    peer,
    sign: async (message) =>
      new Uint8Array(await subtle.sign('Ed25519', keys.privateKey, bytes(message))),
  };
}

export function domainMessage(domain: Domain, payload: Uint8Array): Uint8Array {
  const prefix = utf8.encode(`${domain}\0`);
  const out = new Uint8Array(prefix.length + payload.length);
  out.set(prefix);
  out.set(payload, prefix.length);
  return out;
}

/** Signs `claims` for `domain`; returns the base64url envelope. */
export async function signDocument(
  domain: Domain,
  claims: Record<string, CborInput | undefined>,
  signer: Signer,
): Promise<string> {
  const payload = encodeCbor(claims);
  const sig = await signer.sign(domainMessage(domain, payload));
  return b64u.encode(encodeCbor({ payload, sig }));
}

export interface OpenedDocument {
  readonly claims: Readonly<Record<string, CborValue>>;
  readonly payload: Uint8Array;
  readonly sig: Uint8Array;
}

function malformed(message: string, cause?: unknown): DiscoError {
  return new DiscoError('ERR_NODETRUST_MALFORMED', message, cause === undefined ? {} : { cause });
}

function asMap(value: CborValue): Record<string, CborValue> | undefined {
  return value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
    ? value
    : undefined;
}

/** Decodes an envelope WITHOUT checking its signature (call `verifyDocument` next). */
export function openDocument(token: unknown): OpenedDocument {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_DOCUMENT_CHARS) {
    throw malformed('document: not a base64url string of an accepted size');
  }
  try {
    const envelope = asMap(decodeCbor(b64u.decode(token), LIMITS));
    const payload = envelope?.payload;
    const sig = envelope?.sig;
    if (!envelope || Object.keys(envelope).length !== 2)
      throw malformed('document: not an envelope');
    if (!(payload instanceof Uint8Array) || !(sig instanceof Uint8Array) || sig.length !== 64) {
      throw malformed('document: envelope fields');
    }
    const claims = asMap(decodeCbor(payload, LIMITS));
    if (!claims) throw malformed('document: claims are not a map');
    return { claims, payload, sig };
  } catch (cause) {
    if (cause instanceof DiscoError && cause.code === 'ERR_NODETRUST_MALFORMED') throw cause;
    throw malformed('document: not CBOR of the expected shape', cause);
  }
}

/** True when `doc` is signed for `domain` by `peer` (RFC 8032 §5.1.7 via WebCrypto). */
export async function verifyDocument(
  doc: OpenedDocument,
  domain: Domain,
  peer: PeerId,
  subtle = crypto.subtle,
): Promise<boolean> {
  const key = await importPeerKey(peer, subtle);
  return subtle.verify('Ed25519', key, bytes(doc.sig), bytes(domainMessage(domain, doc.payload)));
}

/** Claim readers: each throws ERR_NODETRUST_MALFORMED when the claim has the wrong shape. */
export const claim = {
  text(claims: Readonly<Record<string, CborValue>>, key: string, max = 256): string {
    const value = claims[key];
    if (typeof value !== 'string' || value.length === 0 || value.length > max) {
      throw malformed(`document: claim ${key}`);
    }
    return value;
  },
  seconds(claims: Readonly<Record<string, CborValue>>, key: string): number {
    const value = claims[key];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw malformed(`document: claim ${key}`);
    }
    return value;
  },
  bytes(claims: Readonly<Record<string, CborValue>>, key: string, max: number): Uint8Array {
    const value = claims[key];
    if (!(value instanceof Uint8Array) || value.length === 0 || value.length > max) {
      throw malformed(`document: claim ${key}`);
    }
    return value;
  },
  texts(
    claims: Readonly<Record<string, CborValue>>,
    key: string,
    maxItems: number,
    maxLength = 256,
  ): string[] {
    const value = claims[key];
    if (!Array.isArray(value) || value.length > maxItems) throw malformed(`document: claim ${key}`);
    return value.map((entry) => {
      if (typeof entry !== 'string' || entry.length === 0 || entry.length > maxLength) {
        throw malformed(`document: claim ${key}`);
      }
      return entry;
    });
  },
};
