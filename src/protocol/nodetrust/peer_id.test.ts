/**
 * Peer ids against the libp2p peer-ids spec test vectors (libp2p/specs peer-ids/peer-ids.md
 * §Test vectors: the Ed25519 key `08 01 12 20 1ed1e8fa…`), whose peer id
 * `12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq` is the one rust-libp2p derives
 * (identity/src/keypair.rs, keypair_protobuf_roundtrip_ed25519).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDiscoError } from '../errors/index.js';
import { base58Decode, base58Encode } from './base58.js';
import { parsePeerId, peerIdOfEd25519, peerIdOfKey, peerIdToBase32 } from './peer_id.js';

const hex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));
const SPEC_KEY = hex('1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e');
const SPEC_PEER_ID = '12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isDiscoError(err) ? err.code : 'not a DiscoError';
  }
  return undefined;
}

describe('libp2p peer id of an Ed25519 key', () => {
  it('is the identity multihash of the protobuf key (spec vector)', () => {
    const peer = peerIdOfEd25519(SPEC_KEY);
    expect(Buffer.from(peer.bytes).toString('hex')).toBe(
      '0024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e',
    );
    expect(peer.text).toBe(SPEC_PEER_ID);
  });

  it('has a 61-character base32 form that parses back', () => {
    const peer = peerIdOfEd25519(SPEC_KEY);
    const b32 = peerIdToBase32(peer);
    expect(b32).toMatch(/^[a-z2-7]{61}$/);
    expect(parsePeerId(b32).text).toBe(SPEC_PEER_ID);
    expect(parsePeerId(SPEC_PEER_ID).publicKey).toEqual(SPEC_KEY);
  });

  it('matches the key WebCrypto exports', async () => {
    const keys = await crypto.subtle.generateKey('Ed25519', true, ['sign', 'verify']);
    const raw = new Uint8Array(await crypto.subtle.exportKey('raw', keys.publicKey));
    expect((await peerIdOfKey(keys.publicKey)).publicKey).toEqual(raw);
  });

  it('refuses other key types, hashes, bad text and non-canonical spellings', () => {
    const refused = [
      'QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N', // sha2-256 multihash (RSA peer)
      SPEC_PEER_ID.slice(0, -1),
      `${SPEC_PEER_ID}1`,
      SPEC_PEER_ID.replace('K', '0'), // not base58
      peerIdToBase32(peerIdOfEd25519(SPEC_KEY)).toUpperCase(),
      '',
      'a'.repeat(500),
    ];
    for (const text of refused)
      expect(codeOf(() => parsePeerId(text))).toBe('ERR_NODETRUST_PEER_ID_INVALID');
    expect(codeOf(() => peerIdOfEd25519(new Uint8Array(31)))).toBe('ERR_NODETRUST_PEER_ID_INVALID');
  });

  it('base58 round-trips any bytes, leading zeros included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
        expect(base58Decode(base58Encode(data))).toEqual(data);
      }),
      { seed: 10, numRuns: 300 },
    );
    expect(base58Encode(Uint8Array.of(0, 0, 1))).toBe('112');
    expect(base58Decode('0OIl')).toBeUndefined();
  });
});
