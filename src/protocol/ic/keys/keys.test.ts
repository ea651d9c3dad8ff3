/**
 * Vectors:
 * - DER ↔ raw: agent-js packages/identity/src/identity/ed25519.test.ts and
 *   packages/identity-secp256k1/src/secp256k1.test.ts (commit e1a1d93aef4b10389f934d04a34e70d924a49268).
 * - Signatures: Wycheproof testvectors_v1 (C2SP/wycheproof dac1dd4, Apache-2.0, copied to
 *   /work/shared/vectors/wycheproof): ed25519_test.json, ecdsa_secp256k1_sha256_p1363_test.json,
 *   ecdsa_secp256r1_sha256_p1363_test.json. The IC takes ECDSA as raw r‖s (P1363) and accepts
 *   high-S, which is what Wycheproof calls valid.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isDiscoError } from '../../errors/index.js';
import {
  createSignatureVerifier,
  derOf,
  parsePublicKey,
  verifySignature,
  type KeyAlgorithm,
} from './index.js';
import { IcSubtleCrypto } from './subtle_crypto.js';

const fromHex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isDiscoError(err) ? err.code : 'not a DiscoError';
  }
  return undefined;
}

describe('DER public keys (interface spec §Signatures)', () => {
  const vectors: Array<[KeyAlgorithm, string, string]> = [
    [
      'ed25519',
      'b3997656ba51ff6da37b61d8d549ec80717266ecf48fb5da52b654412634844c',
      '302a300506032b6570032100b3997656ba51ff6da37b61d8d549ec80717266ecf48fb5da52b654412634844c',
    ],
    [
      'ed25519',
      'c8413108f121cb794a10804d15f613e40ecc7c78a4ec567040ddf78467c71dff',
      '302a300506032b6570032100c8413108f121cb794a10804d15f613e40ecc7c78a4ec567040ddf78467c71dff',
    ],
    [
      'ecdsa-secp256k1',
      '0401ec030acd7d1199f73ae3469329c114944e0693c89502f850bcc6bad397a5956767c79b410c29ac6f587eec84878020fdb54ba002a79b02aa153fe47b6ffd33',
      '3056301006072a8648ce3d020106052b8104000a0342000401ec030acd7d1199f73ae3469329c114944e0693c89502f850bcc6bad397a5956767c79b410c29ac6f587eec84878020fdb54ba002a79b02aa153fe47b6ffd33',
    ],
    [
      'ecdsa-secp256k1',
      '04eb3cbc81bdfa1d13c410151308b4ac65cc328620e368fe5302e2cf2cb7175132999dc2afff871a68afd66d76dd9c7c3911748e8e54ee2fb71df1a97bb4811c8c',
      '3056301006072a8648ce3d020106052b8104000a03420004eb3cbc81bdfa1d13c410151308b4ac65cc328620e368fe5302e2cf2cb7175132999dc2afff871a68afd66d76dd9c7c3911748e8e54ee2fb71df1a97bb4811c8c',
    ],
  ];

  it('reads and writes the agent-js vectors', () => {
    for (const [algorithm, raw, der] of vectors) {
      const key = parsePublicKey(fromHex(der));
      expect(key.algorithm).toBe(algorithm);
      expect(hex(key.raw)).toBe(raw);
      expect(hex(derOf(algorithm, fromHex(raw)))).toBe(der);
    }
  });

  it('refuses a key one byte short or long, a compressed point, and other schemes', () => {
    for (const [, , der] of vectors) {
      expect(code(() => parsePublicKey(fromHex(der).subarray(0, -1)))).toBe('ERR_IC_KEY_INVALID');
      expect(code(() => parsePublicKey(fromHex(`${der}00`)))).toBe('ERR_IC_KEY_INVALID');
    }
    const compressed = fromHex(vectors[2]![2]);
    compressed[23] = 0x02;
    expect(code(() => parsePublicKey(compressed))).toBe('ERR_IC_KEY_INVALID');
    // An RSA SPKI and a BLS key where only plain signature keys are accepted.
    expect(
      code(() => parsePublicKey(fromHex('30820122300d06092a864886f70d01010105000382010f00'))),
    ).toBe('ERR_IC_KEY_UNSUPPORTED');
    const bls = new Uint8Array([
      ...fromHex('308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100'),
      ...new Uint8Array(96),
    ]);
    expect(code(() => parsePublicKey(bls))).toBe('ERR_IC_KEY_UNSUPPORTED');
    expect(parsePublicKey(bls, ['bls12381-g2']).raw).toHaveLength(96);
  });
});

interface WycheproofFile {
  testGroups: Array<{
    publicKeyDer: string;
    tests: Array<{ tcId: number; msg: string; sig: string; result: 'valid' | 'invalid' }>;
  }>;
}

const files: Array<[string, KeyAlgorithm]> = [
  ['ed25519_test.json', 'ed25519'],
  ['ecdsa_secp256k1_sha256_p1363_test.json', 'ecdsa-secp256k1'],
  ['ecdsa_secp256r1_sha256_p1363_test.json', 'ecdsa-p256'],
];

describe('signature verification on Wycheproof', () => {
  for (const [file, algorithm] of files) {
    it(`agrees with every case of ${file}`, async () => {
      const data = JSON.parse(
        readFileSync(`/work/shared/vectors/wycheproof/${file}`, 'utf8'),
      ) as WycheproofFile;
      let checked = 0;
      const wrong: number[] = [];
      for (const group of data.testGroups) {
        let key;
        try {
          key = parsePublicKey(fromHex(group.publicKeyDer));
        } catch {
          continue; // keys not in the IC's exact DER form (none in these files)
        }
        expect(key.algorithm).toBe(algorithm);
        for (const test of group.tests) {
          const ok = await verifySignature(key, fromHex(test.msg), fromHex(test.sig));
          if (ok !== (test.result === 'valid')) wrong.push(test.tcId);
          checked++;
        }
      }
      expect(wrong).toEqual([]);
      expect(checked).toBeGreaterThan(100);
    });
  }
});

describe('IcSubtleCrypto (webcrypto-core with a secp256k1 provider over @noble/curves)', () => {
  const subtle = new IcSubtleCrypto();
  const k1 =
    '3056301006072a8648ce3d020106052b8104000a0342000401ec030acd7d1199f73ae3469329c114944e0693c89502f850bcc6bad397a5956767c79b410c29ac6f587eec84878020fdb54ba002a79b02aa153fe47b6ffd33';

  it('imports and exports a secp256k1 key as SPKI and raw', async () => {
    const key = await subtle.importKey(
      'spki',
      fromHex(k1),
      { name: 'ECDSA', namedCurve: 'K-256' },
      true,
      ['verify'],
    );
    expect(hex(new Uint8Array(await subtle.exportKey('spki', key)))).toBe(k1);
    expect(hex(new Uint8Array(await subtle.exportKey('raw', key)))).toBe(k1.slice(46));
  });

  it('refuses a secp256k1 point off the curve and a P-256 one, with ERR_IC_KEY_INVALID', async () => {
    const offCurve = fromHex(k1);
    offCurve[offCurve.length - 1]! ^= 1;
    await expect(
      subtle.importKey('spki', offCurve, { name: 'ECDSA', namedCurve: 'K-256' }, true, ['verify']),
    ).rejects.toThrow();
    const p256 = fromHex(
      '3059301306072a8648ce3d020106082a8648ce3d030107034200' + '04' + '11'.repeat(64),
    );
    let code: string | undefined;
    try {
      await verifySignature(parsePublicKey(p256), new Uint8Array(1), new Uint8Array(64));
    } catch (err) {
      code = isDiscoError(err) ? err.code : 'not a DiscoError';
    }
    expect(code).toBe('ERR_IC_KEY_INVALID');
  });

  it('also signs and verifies with native keys it wraps (Ed25519, P-256)', async () => {
    for (const algorithm of [{ name: 'Ed25519' }, { name: 'ECDSA', namedCurve: 'P-256' }]) {
      const pair = (await subtle.generateKey(algorithm, false, [
        'sign',
        'verify',
      ])) as CryptoKeyPair;
      const params = algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash: 'SHA-256' } : algorithm;
      const signature = await subtle.sign(params, pair.privateKey, new Uint8Array([1, 2, 3]));
      expect(
        await subtle.verify(params, pair.publicKey, signature, new Uint8Array([1, 2, 3])),
      ).toBe(true);
      expect(
        await subtle.verify(params, pair.publicKey, signature, new Uint8Array([1, 2, 4])),
      ).toBe(false);
    }
  });
});

describe('createSignatureVerifier', () => {
  it('uses a given SubtleCrypto for every curve, and the default verifier agrees with it', async () => {
    const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
    const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    const key = parsePublicKey(derOf('ed25519', raw));
    const message = new TextEncoder().encode('one interface');
    const signature = new Uint8Array(await crypto.subtle.sign('Ed25519', pair.privateKey, message));
    const calls: string[] = [];
    const subtle = new IcSubtleCrypto();
    const counting = new Proxy(subtle, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(String(prop));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const given = createSignatureVerifier(counting);
    expect(await given(key, message, signature)).toBe(true);
    expect(calls).toEqual(['importKey', 'verify']);
    expect(await verifySignature(key, message, signature)).toBe(true);
    signature[0]! ^= 1;
    expect(await given(key, message, signature)).toBe(false);
    expect(await verifySignature(key, message, signature)).toBe(false);
  });
});
