/**
 * Vectors (also listed in docs/ic.md):
 * - vectors/hash_tree.json: the interface spec's hash-tree example (§Certification, Example) with
 *   its root hash and the pruned tree's lookups; dfinity/interface-spec spec/index.md at
 *   b7cbca243f527b6819a0b0f644f87366a47d3eb4.
 * - vectors/mainnet_certificate.json: agent-js packages/agent/src/certificate.test.ts
 *   SAMPLE_CERT_BYTES at e1a1d93aef4b10389f934d04a34e70d924a49268, a real mainnet certificate with
 *   a subnet delegation, checked here with real BLS against the mainnet root key.
 */
import { describe, expect, it } from 'vitest';
import { DiscoError, isDiscoError } from '../../errors/index.js';
import { decodeCbor, encodeCbor } from '../cbor/index.js';
import { Principal } from '../principal/index.js';
import hashTreeVector from '../vectors/hash_tree.json';
import mainnet from '../vectors/mainnet_certificate.json';
import {
  isWellFormed,
  lookupPath,
  parseCertificate,
  parseHashTree,
  reconstruct,
  verifyCertificate,
  type HashTree,
} from './index.js';

const fromHex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return isDiscoError(err) ? err.code : `not a DiscoError: ${String(err)}`;
  }
  return undefined;
}

describe('hash trees (interface spec §Certification)', () => {
  const full = parseHashTree(decodeCbor(fromHex(hashTreeVector.tree)));
  const pruned = parseHashTree(decodeCbor(fromHex(hashTreeVector.pruned)));

  it('reconstructs the example root hash, pruned or not', () => {
    expect(hex(reconstruct(full))).toBe(hashTreeVector.root);
    expect(hex(reconstruct(pruned))).toBe(hashTreeVector.root);
    expect(isWellFormed(full)).toBe(true);
  });

  it('looks up the pruned tree as the spec says (found / absent / unknown kept apart)', () => {
    for (const [path, status, value] of hashTreeVector.prunedLookups as Array<
      [string[], string, string?]
    >) {
      const result = lookupPath(path, pruned);
      expect(result.status, path.join('/')).toBe(status);
      if (result.status === 'found') expect(text(result.value)).toBe(value);
    }
  });

  it('looks up the full tree', () => {
    const x = lookupPath(['a', 'x'], full);
    expect(x.status === 'found' && text(x.value)).toBe('hello');
    expect(lookupPath(['c'], full).status).toBe('absent'); // c → Empty
    expect(lookupPath(['c', 'z'], full).status).toBe('absent');
    expect(lookupPath(['a'], full).status).toBe('error'); // a is a subtree, not a leaf
    expect(lookupPath(['z'], full).status).toBe('absent');
  });

  it('refuses malformed nodes and knows ill-formed trees', () => {
    const bad = [[5], [1, [0]], [2, 'a', [0]], [3, 1], [4, new Uint8Array(31)], 'x'];
    for (const node of bad) {
      expect(() => parseHashTree(node as never)).toThrow(DiscoError);
    }
    const leaf = (s: string): HashTree => [3, new TextEncoder().encode(s)];
    const label = (s: string, t: HashTree): HashTree => [2, new TextEncoder().encode(s), t];
    expect(isWellFormed([1, label('b', leaf('1')), label('a', leaf('2'))])).toBe(false);
    expect(isWellFormed([1, label('a', leaf('1')), leaf('2')])).toBe(false);
  });
});

describe('verifyCertificate on a mainnet certificate', () => {
  const bytes = fromHex(mainnet.certificate);
  const now = Date.parse(mainnet.time);
  const canisterId = Principal.fromText(mainnet.canisterId);
  const range = (h: string) => Principal.fromUint8Array(fromHex(h));

  it('verifies, BLS included, and reads /time', async () => {
    const cert = await verifyCertificate(bytes, { canisterId, now });
    expect(new Date(Number(cert.time / 1_000_000n)).toISOString()).toBe(mainnet.time);
    expect(cert.lookup(['time']).status).toBe('found');
  });

  it('accepts canisters at both ends and inside the subnet range, refuses outside', async () => {
    for (const id of [mainnet.rangeStart, mainnet.rangeInterior, mainnet.rangeEnd]) {
      await expect(verifyCertificate(bytes, { canisterId: range(id), now })).resolves.toBeTruthy();
    }
    for (const id of [mainnet.beforeRange, mainnet.afterRange]) {
      expect(await codeOf(verifyCertificate(bytes, { canisterId: range(id), now }))).toBe(
        'ERR_IC_CERT_NOT_AUTHORIZED',
      );
    }
  });

  it('refuses a certificate more than 5 minutes old or ahead', async () => {
    const minutes = (n: number) => n * 60_000;
    expect(await codeOf(verifyCertificate(bytes, { canisterId, now: now + minutes(6) }))).toBe(
      'ERR_IC_CERT_STALE',
    );
    expect(await codeOf(verifyCertificate(bytes, { canisterId, now: now - minutes(6) }))).toBe(
      'ERR_IC_CERT_STALE',
    );
    await expect(
      verifyCertificate(bytes, { canisterId, now: now + minutes(60), maxAgeMs: null }),
    ).resolves.toBeTruthy();
  });

  it('refuses another root key, a zeroed signature and a nested delegation', async () => {
    const rootKey = fromHex(
      '308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100' +
        hex(new Uint8Array(96).fill(1)),
    );
    expect(await codeOf(verifyCertificate(bytes, { canisterId, now, rootKey }))).toBe(
      'ERR_IC_CERT_DELEGATION_INVALID',
    );
    const cert = decodeCbor(bytes) as Record<string, never>;
    const zeroed = encodeCbor({ ...cert, signature: new Uint8Array(48) });
    expect(await codeOf(verifyCertificate(zeroed, { canisterId, now }))).toBe(
      'ERR_IC_CERT_SIGNATURE_INVALID',
    );
    const parsed = parseCertificate(bytes);
    const nested = encodeCbor({
      ...cert,
      delegation: { subnet_id: parsed.delegation!.subnetId, certificate: bytes },
    });
    expect(await codeOf(verifyCertificate(nested, { canisterId, now }))).toBe(
      'ERR_IC_CERT_DELEGATION_INVALID',
    );
  });

  it('refuses the certificate with any one byte flipped', async () => {
    const accepted: number[] = [];
    const notDisco: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const tampered = Uint8Array.from(bytes);
      tampered[i]! ^= 0x01;
      try {
        await verifyCertificate(tampered, { canisterId, now });
        accepted.push(i);
      } catch (err) {
        if (!isDiscoError(err)) notDisco.push(i);
      }
    }
    expect(accepted).toEqual([]);
    expect(notDisco).toEqual([]);
  }, 300_000);
});
