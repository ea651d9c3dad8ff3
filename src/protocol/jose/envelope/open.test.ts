import { CompactEncrypt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { open } from './open.js';
import { ENVELOPE_ALLOW_LIST } from './policy.js';
import { seal } from './seal.js';
import { codeOf } from '../../../testing/code_of.js';

const subtle = globalThis.crypto.subtle;
const b64 = (data: Uint8Array | string): string => Buffer.from(data).toString('base64url');
const unb64 = (part: string): Uint8Array => new Uint8Array(Buffer.from(part, 'base64url'));
const header = (jwe: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwe.split('.')[0] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;
const withHeader = (jwe: string, h: Record<string, unknown>): string =>
  [b64(JSON.stringify(h)), ...jwe.split('.').slice(1)].join('.');

/** Flips one bit of byte `index` of part `part`; the result stays canonical base64url. */
function flip(jwe: string, part: number, index: number): string {
  const parts = jwe.split('.');
  const data = unb64(parts[part] ?? '');
  data[index % data.length] = (data[index % data.length] ?? 0) ^ 0x01;
  parts[part] = b64(data);
  return parts.join('.');
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** The next base64url character: same high bits, non-zero low (pad) bits. */
const strayBits = (char: string): string => ALPHABET.charAt(ALPHABET.indexOf(char) + 1);

const pairs: Record<string, CryptoKeyPair> = {};
const sealed: Record<string, string> = {};

beforeAll(async () => {
  pairs.rsa = await subtle.generateKey(
    {
      name: 'RSA-OAEP',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    false,
    ['encrypt', 'decrypt'],
  );
  pairs.p256 = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, [
    'deriveBits',
  ]);
  pairs.x25519 = await subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']);
  pairs.other = await subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']);
  for (const name of ['rsa', 'p256', 'x25519']) {
    sealed[name] = await seal(
      new TextEncoder().encode('a secret for the device'),
      pairs[name]!.publicKey,
    );
  }
});

const KEYS = ['rsa', 'p256', 'x25519'];
const PART_NAMES = ['header', 'encrypted key', 'iv', 'ciphertext', 'tag'];

describe('open: tampering', () => {
  it.each(KEYS)(
    '%s: a flipped bit anywhere in key, iv, ciphertext or tag → ERR_JWE_DECRYPTION_FAILED',
    async (name) => {
      const jwe = sealed[name]!;
      for (const part of [1, 2, 3, 4]) {
        const length = unb64(jwe.split('.')[part]!).length;
        for (const index of [0, 1, length >> 1, length - 1]) {
          const code = await codeOf(open(flip(jwe, part, index), pairs[name]!.privateKey));
          expect(code, `${PART_NAMES[part]} byte ${index}`).toBe('ERR_JWE_DECRYPTION_FAILED');
        }
      }
    },
  );

  it.each(KEYS)(
    '%s: a changed protected header (it is the AAD) → ERR_JWE_DECRYPTION_FAILED',
    async (name) => {
      const jwe = sealed[name]!;
      const changed = withHeader(jwe, { ...header(jwe), kid: 'added' });
      expect(await codeOf(open(changed, pairs[name]!.privateKey))).toBe(
        'ERR_JWE_DECRYPTION_FAILED',
      );
    },
  );

  it.each(KEYS)(
    '%s: a flipped bit in the header bytes → a DiscoError, never a crash',
    async (name) => {
      const jwe = sealed[name]!;
      const length = jwe.split('.')[0]!.length;
      for (let index = 0; index < (length * 3) / 4 - 1; index += 3) {
        const code = await codeOf(open(flip(jwe, 0, index), pairs[name]!.privateKey));
        expect([
          'ERR_JWE_MALFORMED',
          'ERR_JWE_DECRYPTION_FAILED',
          'ERR_JWE_ALG_NOT_ALLOWED',
        ]).toContain(code);
      }
    },
  );

  it.each(KEYS)(
    '%s: every truncation → ERR_JWE_MALFORMED or ERR_JWE_DECRYPTION_FAILED',
    async (name) => {
      const jwe = sealed[name]!;
      for (let end = 0; end < jwe.length; end += name === 'rsa' ? 7 : 1) {
        const code = await codeOf(open(jwe.slice(0, end), pairs[name]!.privateKey));
        expect(['ERR_JWE_MALFORMED', 'ERR_JWE_DECRYPTION_FAILED']).toContain(code);
      }
    },
  );

  it.each(KEYS)('%s: a missing part or a truncated tag → ERR_JWE_MALFORMED', async (name) => {
    const parts = sealed[name]!.split('.');
    for (let i = 0; i < 5; i++) {
      const fewer = parts.filter((_, j) => j !== i).join('.');
      expect(await codeOf(open(fewer, pairs[name]!.privateKey))).toBe('ERR_JWE_MALFORMED');
    }
    const shortTag = [...parts.slice(0, 4), b64(unb64(parts[4]!).slice(0, 15))].join('.');
    expect(await codeOf(open(shortTag, pairs[name]!.privateKey))).toBe('ERR_JWE_MALFORMED');
  });
});

describe('open: keys', () => {
  it('the wrong key of the right kind → ERR_JWE_DECRYPTION_FAILED', async () => {
    expect(await codeOf(open(sealed.x25519!, pairs.other!.privateKey))).toBe(
      'ERR_JWE_DECRYPTION_FAILED',
    );
  });

  it('a key of another kind or curve → ERR_JWE_DECRYPTION_FAILED', async () => {
    expect(await codeOf(open(sealed.x25519!, pairs.p256!.privateKey))).toBe(
      'ERR_JWE_DECRYPTION_FAILED',
    );
    expect(await codeOf(open(sealed.x25519!, pairs.rsa!.privateKey))).toBe(
      'ERR_JWE_DECRYPTION_FAILED',
    );
    expect(await codeOf(open(sealed.rsa!, pairs.p256!.privateKey))).toBe(
      'ERR_JWE_DECRYPTION_FAILED',
    );
  });

  it('an unusable key → ERR_JWE_KEY_UNSUPPORTED', async () => {
    const ed = await subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
    const aes = await subtle.generateKey({ name: 'AES-KW', length: 256 }, false, ['unwrapKey']);
    const p384 = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-384' }, false, [
      'deriveBits',
    ]);
    const deriveKeyOnly = await subtle.generateKey({ name: 'X25519' }, false, ['deriveKey']);
    const jwe = sealed.x25519!;
    for (const key of [
      pairs.x25519!.publicKey,
      ed.privateKey,
      aes,
      p384.privateKey,
      deriveKeyOnly.privateKey,
    ]) {
      expect(await codeOf(open(jwe, key))).toBe('ERR_JWE_KEY_UNSUPPORTED');
    }
    const jwk = { kty: 'OKP', crv: 'X25519', x: 'AAAA', d: 'AAAA' } as unknown as CryptoKey;
    expect(await codeOf(open(jwe, jwk))).toBe('ERR_JWE_KEY_UNSUPPORTED');
  });

  it('an ephemeral key on another curve, a low-order point, or none at all', async () => {
    const jwe = sealed.x25519!;
    const h = header(jwe);
    const epk = h.epk as Record<string, unknown>;
    const key = pairs.x25519!.privateKey;
    const lowOrder = withHeader(jwe, { ...h, epk: { ...epk, x: b64(new Uint8Array(32)) } });
    expect(await codeOf(open(lowOrder, key))).toBe('ERR_JWE_DECRYPTION_FAILED');
    const p256Epk = header(sealed.p256!).epk;
    expect(await codeOf(open(withHeader(jwe, { ...h, epk: p256Epk }), key))).toBe(
      'ERR_JWE_DECRYPTION_FAILED',
    );
    expect(await codeOf(open(withHeader(jwe, { ...h, epk: undefined }), key))).toBe(
      'ERR_JWE_MALFORMED',
    );
    expect(await codeOf(open(withHeader(jwe, { ...h, epk: 'x' }), key))).toBe('ERR_JWE_MALFORMED');
    const withPrivate = withHeader(jwe, { ...h, epk: { ...epk, d: epk.x } });
    expect(await codeOf(open(withPrivate, key))).toBe('ERR_JWE_MALFORMED');
  });
});

describe('open: the allow-list', () => {
  it.each([
    'RSA1_5',
    'RSA-OAEP',
    'RSA-OAEP-384',
    'dir',
    'none',
    'A128KW',
    'A256KW',
    'A256GCMKW',
    'ECDH-ES',
    'ECDH-ES+A128KW',
    'PBES2-HS512+A256KW',
    'HS256',
  ])('alg %s → ERR_JWE_ALG_NOT_ALLOWED', async (alg) => {
    const jwe = withHeader(sealed.x25519!, { ...header(sealed.x25519!), alg });
    expect(await codeOf(open(jwe, pairs.x25519!.privateKey))).toBe('ERR_JWE_ALG_NOT_ALLOWED');
  });

  it.each(['A128GCM', 'A192GCM', 'A128CBC-HS256', 'A256CBC-HS512', 'none'])(
    'enc %s → ERR_JWE_ALG_NOT_ALLOWED',
    async (enc) => {
      const jwe = withHeader(sealed.x25519!, { ...header(sealed.x25519!), enc });
      expect(await codeOf(open(jwe, pairs.x25519!.privateKey))).toBe('ERR_JWE_ALG_NOT_ALLOWED');
    },
  );

  it('a real ECDH-ES+A256KW / A128GCM envelope is refused by default, opened with the test override', async () => {
    const jwe = await new CompactEncrypt(new TextEncoder().encode('weak enc'))
      .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A128GCM' })
      .encrypt(pairs.x25519!.publicKey);
    const key = pairs.x25519!.privateKey;
    expect(await codeOf(open(jwe, key))).toBe('ERR_JWE_ALG_NOT_ALLOWED');
    const lax = { ...ENVELOPE_ALLOW_LIST, enc: ['A256GCM', 'A128GCM'] };
    const { plaintext } = await open(jwe, key, { unsafeAllowList: lax });
    expect(new TextDecoder().decode(plaintext)).toBe('weak enc');
  });

  it('a compressed (zip) envelope → ERR_JWE_ALG_NOT_ALLOWED, even with the override', async () => {
    const jwe = await new CompactEncrypt(new TextEncoder().encode('z'.repeat(1000)))
      .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', zip: 'DEF' })
      .encrypt(pairs.x25519!.publicKey);
    const key = pairs.x25519!.privateKey;
    expect(await codeOf(open(jwe, key))).toBe('ERR_JWE_ALG_NOT_ALLOWED');
    expect(await codeOf(open(jwe, key, { unsafeAllowList: ENVELOPE_ALLOW_LIST }))).toBe(
      'ERR_JWE_ALG_NOT_ALLOWED',
    );
  });

  it('a crit header → ERR_JWE_MALFORMED', async () => {
    const h = header(sealed.x25519!);
    for (const crit of [['exp'], [], 'exp']) {
      const jwe = withHeader(sealed.x25519!, { ...h, crit, exp: 1 });
      expect(await codeOf(open(jwe, pairs.x25519!.privateKey))).toBe('ERR_JWE_MALFORMED');
    }
  });

  it('missing or non-string alg / enc → ERR_JWE_MALFORMED', async () => {
    const h = header(sealed.x25519!);
    for (const changed of [
      { ...h, alg: undefined },
      { ...h, enc: 7 },
      { ...h, Alg: h.alg, alg: undefined },
    ]) {
      const jwe = withHeader(sealed.x25519!, changed);
      expect(await codeOf(open(jwe, pairs.x25519!.privateKey))).toBe('ERR_JWE_MALFORMED');
    }
  });
});

describe('open: malformed input', () => {
  const key = (): CryptoKey => pairs.x25519!.privateKey;

  it.each([
    ['empty string', ''],
    ['four dots', '....'],
    ['six parts', 'a.b.c.d.e.f'],
    ['a JSON serialization', '{"protected":"eyJhbGciOiJSU0EtT0FFUC0yNTYifQ","ciphertext":"AA"}'],
    ['header that is not JSON', `${b64('nope')}.AA.AAAAAAAAAAAAAAAA.AA.AAAAAAAAAAAAAAAAAAAAAA`],
    ['header that is a JSON array', `${b64('[1]')}.AA.AAAAAAAAAAAAAAAA.AA.AAAAAAAAAAAAAAAAAAAAAA`],
    ['header that is not UTF-8', `${b64(new Uint8Array([0xff, 0xfe]))}.AA.AA.AA.AA`],
  ])('%s → ERR_JWE_MALFORMED', async (_name, jwe) => {
    expect(await codeOf(open(jwe, key()))).toBe('ERR_JWE_MALFORMED');
  });

  it('non-canonical base64url (padding, whitespace, standard alphabet, stray bits) → ERR_JWE_MALFORMED', async () => {
    const parts = sealed.x25519!.split('.');
    const variants = [
      [...parts.slice(0, 4), `${parts[4]}==`],
      [...parts.slice(0, 4), ` ${parts[4]}`],
      [...parts.slice(0, 2), `${parts[2]}\n`, ...parts.slice(3)],
      [parts[0], parts[1], parts[2]!.replace(/[-_]/g, '+').replace(/^./, '+'), parts[3], parts[4]],
      // tag: 16 bytes → 22 characters, whose last carries 4 pad bits that must be zero
      [...parts.slice(0, 4), parts[4]!.slice(0, 21) + strayBits(parts[4]!.charAt(21))],
    ];
    for (const variant of variants) {
      expect(await codeOf(open(variant.join('.'), key()))).toBe('ERR_JWE_MALFORMED');
    }
  });

  it('not a string → ERR_JWE_MALFORMED', async () => {
    for (const value of [undefined, null, 42, new TextEncoder().encode(sealed.x25519)]) {
      expect(await codeOf(open(value as unknown as string, key()))).toBe('ERR_JWE_MALFORMED');
    }
  });

  it('oversized input → ERR_TOO_LARGE, before any parsing', async () => {
    expect(await codeOf(open('A'.repeat(1024 * 1024 + 1), key()))).toBe('ERR_TOO_LARGE');
    expect(await codeOf(open(sealed.x25519!, key(), { maxBytes: 100 }))).toBe('ERR_TOO_LARGE');
    expect(await codeOf(open(sealed.x25519!, key(), { maxBytes: -1 }))).toBe('ERR_INVALID_INPUT');
  });
});
