import { decodeProtectedHeader, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { open } from './open.js';
import { seal } from './seal.js';
import { codeOf } from '../../../testing/code_of.js';

const subtle = globalThis.crypto.subtle;
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

let rsa: CryptoKeyPair;
let p256: CryptoKeyPair;
let x25519: CryptoKeyPair;

beforeAll(async () => {
  // Non-extractable private keys, as the device and RPs keep them.
  rsa = await subtle.generateKey(
    {
      name: 'RSA-OAEP',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    false,
    ['encrypt', 'decrypt'],
  );
  p256 = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
  x25519 = await subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']);
});

describe('seal', () => {
  const cases = [
    ['RSA-OAEP-256 (2048)', () => rsa, 'RSA-OAEP-256'],
    ['EC P-256', () => p256, 'ECDH-ES+A256KW'],
    ['OKP X25519', () => x25519, 'ECDH-ES+A256KW'],
  ] as const;

  it.each(cases)('round-trips to %s with a non-extractable private key', async (_n, pair, alg) => {
    expect(pair().privateKey.extractable).toBe(false);
    const jwe = await seal(bytes('hello device'), pair().publicKey, {
      kid: 'k1',
      contentType: 'json',
    });
    expect(decodeProtectedHeader(jwe)).toMatchObject({
      alg,
      enc: 'A256GCM',
      kid: 'k1',
      cty: 'json',
    });
    const { plaintext, protectedHeader } = await open(jwe, pair().privateKey);
    expect(new TextDecoder().decode(plaintext)).toBe('hello device');
    expect(protectedHeader).toMatchObject({ alg, enc: 'A256GCM', kid: 'k1' });
  });

  it.each(cases)(
    'round-trips to %s given as a JWK, and leaves the JWK unfrozen',
    async (_n, pair, alg) => {
      const jwk = (await subtle.exportKey('jwk', pair().publicKey)) as JWK;
      const jwe = await seal(bytes('via jwk'), jwk);
      expect(decodeProtectedHeader(jwe).alg).toBe(alg);
      expect(Object.isFrozen(jwk)).toBe(false);
      expect(new TextDecoder().decode((await open(jwe, pair().privateKey)).plaintext)).toBe(
        'via jwk',
      );
    },
  );

  it('seals empty plaintext, and never the same envelope twice', async () => {
    const a = await seal(new Uint8Array(0), x25519.publicKey);
    const b = await seal(new Uint8Array(0), x25519.publicKey);
    expect(a).not.toBe(b);
    expect((await open(a, x25519.privateKey)).plaintext).toEqual(new Uint8Array(0));
  });

  it('refuses private keys and keys outside the profile with ERR_JWE_KEY_UNSUPPORTED', async () => {
    const ed = await subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
    const p384 = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-384' }, true, [
      'deriveBits',
    ]);
    const rsaJwk = (await subtle.exportKey('jwk', rsa.publicKey)) as JWK;
    const bare: JsonWebKey = { kty: 'RSA', n: rsaJwk.n!, e: rsaJwk.e! };
    const sha1 = await subtle.importKey('jwk', bare, { name: 'RSA-OAEP', hash: 'SHA-1' }, true, [
      'encrypt',
    ]);
    const small = await subtle.generateKey(
      {
        name: 'RSA-OAEP',
        modulusLength: 1024,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      true,
      ['encrypt', 'decrypt'],
    );
    const aes = await subtle.generateKey({ name: 'AES-KW', length: 256 }, true, ['wrapKey']);
    const keys: unknown[] = [
      x25519.privateKey,
      ed.publicKey,
      p384.publicKey,
      sha1,
      small.publicKey,
      aes,
      { kty: 'OKP', crv: 'X25519', x: 'AAAA', d: 'AAAA' },
      await subtle.exportKey('jwk', p384.publicKey),
      await subtle.exportKey('jwk', ed.publicKey),
      await subtle.exportKey('jwk', small.publicKey),
      await subtle.exportKey('jwk', p384.privateKey),
      await subtle.exportKey('jwk', aes),
      { ...rsaJwk, alg: 'RSA-OAEP' },
      { ...rsaJwk, use: 'sig' },
      { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' },
      'not a key',
      null,
    ];
    for (const key of keys) {
      expect(await codeOf(seal(bytes('x'), key as JWK))).toBe('ERR_JWE_KEY_UNSUPPORTED');
    }
  });

  it('refuses oversized input with ERR_TOO_LARGE', async () => {
    const mib = 1024 * 1024;
    expect(await codeOf(seal(new Uint8Array(mib + 1), x25519.publicKey))).toBe('ERR_TOO_LARGE');
    // Fits as plaintext, but base64url makes the envelope longer than open would read.
    expect(await codeOf(seal(new Uint8Array(mib - 1000), x25519.publicKey))).toBe('ERR_TOO_LARGE');
    expect(await codeOf(seal(new Uint8Array(100), x25519.publicKey, { maxBytes: 200 }))).toBe(
      'ERR_TOO_LARGE',
    );
    const big = await seal(new Uint8Array(700 * 1024), x25519.publicKey);
    expect((await open(big, x25519.privateKey)).plaintext.byteLength).toBe(700 * 1024);
  });

  it('refuses bad arguments with ERR_INVALID_INPUT', async () => {
    const key = x25519.publicKey;
    expect(await codeOf(seal('text' as unknown as Uint8Array, key))).toBe('ERR_INVALID_INPUT');
    expect(await codeOf(seal(bytes('x'), key, { kid: '' }))).toBe('ERR_INVALID_INPUT');
    expect(await codeOf(seal(bytes('x'), key, { contentType: 'x'.repeat(257) }))).toBe(
      'ERR_INVALID_INPUT',
    );
    expect(await codeOf(seal(bytes('x'), key, { maxBytes: 0 }))).toBe('ERR_INVALID_INPUT');
  });
});
