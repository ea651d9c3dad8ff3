import { bytes } from '../encoding/index.js';
import { DiscoError } from '../errors/index.js';
import { base32Decode, base32Encode } from '../ic/principal/base32.js';
import { base58Decode, base58Encode } from './base58.js';

/**
 * An Ed25519 libp2p peer id is the identity multihash (code 0x00, length 0x24 = 36) of the
 * protobuf `PublicKey { Type: Ed25519 (1), Data: <32 bytes> }` = `08 01 12 20 <key>`
 * (libp2p peer-ids spec §Peer Ids: keys of at most 42 serialized bytes are inlined, not hashed).
 */
const PREFIX = Uint8Array.of(0x00, 0x24, 0x08, 0x01, 0x12, 0x20);
export const PEER_ID_BYTES = PREFIX.length + 32;

/** A parsed Ed25519 peer id: its canonical text (base58btc, `12D3KooW…`), bytes and key. */
export interface PeerId {
  readonly text: string;
  readonly bytes: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** The peer id of a raw 32-byte Ed25519 public key (peer-ids spec §Peer Ids). */
export function peerIdOfEd25519(publicKey: Uint8Array): PeerId {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new DiscoError('ERR_NODETRUST_PEER_ID_INVALID', 'an Ed25519 public key has 32 bytes');
  }
  const out = new Uint8Array(PEER_ID_BYTES);
  out.set(PREFIX);
  out.set(publicKey, PREFIX.length);
  return { text: base58Encode(out), bytes: out, publicKey: out.slice(PREFIX.length) };
}

/** The peer id of an Ed25519 WebCrypto public key (exported raw, RFC 8410 point encoding). */
export async function peerIdOfKey(key: CryptoKey, subtle = crypto.subtle): Promise<PeerId> {
  if (key.algorithm.name !== 'Ed25519' || key.type !== 'public') {
    throw new DiscoError('ERR_NODETRUST_PEER_ID_INVALID', 'peer ids here are Ed25519 public keys');
  }
  return peerIdOfEd25519(new Uint8Array(await subtle.exportKey('raw', key)));
}

/** The peer id bytes, if they are an Ed25519 identity multihash; otherwise a DiscoError. */
export function peerIdOfBytes(value: Uint8Array): PeerId {
  if (value.length !== PEER_ID_BYTES || PREFIX.some((byte, i) => value[i] !== byte)) {
    throw new DiscoError('ERR_NODETRUST_PEER_ID_INVALID', 'not an Ed25519 identity multihash');
  }
  return peerIdOfEd25519(value.slice(PREFIX.length));
}

/**
 * Parses a peer id written as base58btc (`12D3KooW…`, the spec's legacy form) or as lower-case
 * RFC 4648 base32 of the multihash without multibase prefix (the form DNS labels carry, see
 * `peerLabel`). Only the canonical spelling of each is accepted, so one peer has one name.
 */
export function parsePeerId(text: string): PeerId {
  if (typeof text !== 'string' || text.length > 80) {
    throw new DiscoError('ERR_NODETRUST_PEER_ID_INVALID', 'not a peer id');
  }
  const decoded = text.startsWith('1') ? base58Decode(text) : base32Decode(text);
  if (decoded === undefined) throw new DiscoError('ERR_NODETRUST_PEER_ID_INVALID', 'not a peer id');
  const peer = peerIdOfBytes(decoded);
  if (text !== peer.text && text !== peerIdToBase32(peer)) {
    throw new DiscoError('ERR_NODETRUST_PEER_ID_INVALID', 'peer id not in canonical form');
  }
  return peer;
}

/** base32 (RFC 4648 §6, lower case, no padding) of the multihash: 61 characters. */
export function peerIdToBase32(peer: PeerId): string {
  return base32Encode(peer.bytes);
}

/** Imports the peer's key for Ed25519 verification (RFC 8032 §5.1.7 through WebCrypto). */
export function importPeerKey(peer: PeerId, subtle = crypto.subtle): Promise<CryptoKey> {
  return subtle.importKey('raw', bytes(peer.publicKey), 'Ed25519', false, ['verify']);
}
