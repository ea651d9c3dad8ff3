import { CompactSign, exportJWK, SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { issue, type IssueInput } from './issue.js';
import { TOKEN_TYPES } from './token_types.js';
import { verify, type VerifyOptions } from './verify.js';
import { codeOf } from '../../../testing/code_of.js';

const subtle = globalThis.crypto.subtle;
const b64 = (data: Uint8Array | string): string => Buffer.from(data).toString('base64url');
const NOW_MS = 1_700_000_000_000;
const NOW = NOW_MS / 1000;
const THUMBPRINT = b64(new Uint8Array(32).fill(7));
let device: CryptoKeyPair;
let stranger: CryptoKeyPair;

beforeAll(async () => {
  device = await subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
  stranger = await subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
});

const keyA: IssueInput = {
  iss: 'device-1',
  sub: 'shop',
  aud: 'shop',
  scope: 'key_b+address',
  lifetimeSeconds: 600,
};
const keyB: IssueInput = {
  ...keyA,
  aud: 'courier',
  scope: ['address'],
  lifetimeSeconds: 60,
  cnf: { 'x5t#S256': THUMBPRINT },
};
const expectA: VerifyOptions = {
  now: () => NOW_MS,
  issuer: 'device-1',
  typ: TOKEN_TYPES.keyA,
  audience: 'shop',
};
const expectB: VerifyOptions = {
  ...expectA,
  typ: TOKEN_TYPES.keyB,
  audience: 'courier',
  confirmation: THUMBPRINT,
};

const issueA = (over: Partial<IssueInput> = {}): Promise<string> =>
  issue({ ...keyA, ...over }, device.privateKey, { typ: TOKEN_TYPES.keyA, now: () => NOW_MS });
const issueB = (): Promise<string> =>
  issue(keyB, device.privateKey, { typ: TOKEN_TYPES.keyB, now: () => NOW_MS });

/** A token signed by the device key with any claims and header: what a buggy issuer could make. */
function craft(claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', typ: TOKEN_TYPES.keyA, ...header })
    .sign(device.privateKey);
}
const goodClaims = (): JWTPayload => ({
  iss: 'device-1',
  sub: 'shop',
  aud: 'shop',
  scope: 'key_b',
  iat: NOW,
  exp: NOW + 60,
  jti: 'abcdefghijklmnop',
});

describe('verify: round trips', () => {
  it('returns typed claims with the scope in normal form', async () => {
    const claims = await verify(await issueA(), device.publicKey, expectA);
    expect(claims).toMatchObject({
      iss: 'device-1',
      sub: 'shop',
      aud: 'shop',
      iat: NOW,
      exp: NOW + 600,
    });
    expect(claims.scope).toEqual(['address', 'key_b']);
    expect(claims.cnf).toBeUndefined();
  });

  it('verifies with the public key as a JWK (RFC 8037 §2)', async () => {
    const jwk = await exportJWK(device.publicKey);
    expect((await verify(await issueA(), jwk, expectA)).sub).toBe('shop');
    expect(Object.isFrozen(jwk)).toBe(false);
  });

  it('round-trips key B with cnf, and checks the presenting certificate', async () => {
    const token = await issueB();
    expect((await verify(token, device.publicKey, expectB)).cnf).toEqual({
      'x5t#S256': THUMBPRINT,
    });
    const other = b64(new Uint8Array(32).fill(8));
    expect(await codeOf(verify(token, device.publicKey, { ...expectB, confirmation: other }))).toBe(
      'ERR_JWT_CLAIM_INVALID',
    );
  });

  it('accepts a token whose aud is not checked when no audience is given', async () => {
    const noAudience: VerifyOptions = {
      now: expectA.now,
      issuer: expectA.issuer,
      typ: expectA.typ,
    };
    expect((await verify(await issueA(), device.publicKey, noAudience)).aud).toBe('shop');
  });
});

describe('verify: time', () => {
  const at = (ms: number): VerifyOptions => ({ ...expectA, now: () => ms });

  it('refuses an expired token with ERR_JWT_EXPIRED, within the skew it still passes', async () => {
    const token = await issueA();
    const exp = NOW + 600;
    expect((await verify(token, device.publicKey, at((exp + 59) * 1000))).exp).toBe(exp);
    expect(await codeOf(verify(token, device.publicKey, at((exp + 60) * 1000)))).toBe(
      'ERR_JWT_EXPIRED',
    );
    const strict = { ...at(exp * 1000), maxSkewSeconds: 0 };
    expect(await codeOf(verify(token, device.publicKey, strict))).toBe('ERR_JWT_EXPIRED');
  });

  it('refuses a token issued in the future beyond the skew with ERR_JWT_NOT_YET_VALID', async () => {
    const token = await issueA();
    expect((await verify(token, device.publicKey, at((NOW - 60) * 1000))).iat).toBe(NOW);
    expect(await codeOf(verify(token, device.publicKey, at((NOW - 61) * 1000)))).toBe(
      'ERR_JWT_NOT_YET_VALID',
    );
  });

  it('refuses a token before its nbf with ERR_JWT_NOT_YET_VALID', async () => {
    const token = await craft({ ...goodClaims(), nbf: NOW + 120 });
    expect(await codeOf(verify(token, device.publicKey, expectA))).toBe('ERR_JWT_NOT_YET_VALID');
  });

  it('refuses a lifetime above maxLifetimeSeconds with ERR_JWT_CLAIM_INVALID', async () => {
    const token = await issueA();
    expect(
      (await verify(token, device.publicKey, { ...expectA, maxLifetimeSeconds: 600 })).jti,
    ).toBeTruthy();
    expect(
      await codeOf(verify(token, device.publicKey, { ...expectA, maxLifetimeSeconds: 599 })),
    ).toBe('ERR_JWT_CLAIM_INVALID');
  });
});

describe('verify: claims', () => {
  it.each([
    ['another issuer', { ...expectA, issuer: 'device-2' }],
    ['another audience', { ...expectA, audience: 'courier' }],
    ['another typ (key A presented as key B)', { ...expectA, typ: TOKEN_TYPES.keyB }],
  ])('refuses %s with ERR_JWT_CLAIM_INVALID', async (_name, options) => {
    expect(await codeOf(verify(await issueA(), device.publicKey, options))).toBe(
      'ERR_JWT_CLAIM_INVALID',
    );
  });

  it.each(['iss', 'sub', 'aud', 'scope', 'iat', 'exp', 'jti'])(
    'refuses a token without %s with ERR_JWT_CLAIM_INVALID',
    async (claim) => {
      const claims = goodClaims();
      delete claims[claim];
      expect(await codeOf(verify(await craft(claims), device.publicKey, expectA))).toBe(
        'ERR_JWT_CLAIM_INVALID',
      );
    },
  );

  it.each([
    ['no typ', goodClaims(), { typ: undefined }],
    ['typ JWT', goodClaims(), { typ: 'JWT' }],
    ['aud as an array', { ...goodClaims(), aud: ['shop'] }, {}],
    ['scope as an array', { ...goodClaims(), scope: ['key_b'] }, {}],
    ['an invalid scope', { ...goodClaims(), scope: 'KEY_B' }, {}],
    ['a short jti', { ...goodClaims(), jti: 'x' }, {}],
    ['a fractional iat', { ...goodClaims(), iat: NOW + 0.5 }, {}],
    ['exp before iat', { ...goodClaims(), exp: NOW - 1, iat: NOW }, {}],
    ['a cnf that is not a thumbprint', { ...goodClaims(), cnf: { 'x5t#S256': 'short' } }, {}],
    [
      'a cnf with other members',
      { ...goodClaims(), cnf: { 'x5t#S256': THUMBPRINT, jkt: 'x' } },
      {},
    ],
    ['key B without cnf', goodClaims(), { typ: TOKEN_TYPES.keyB }],
  ])('refuses %s with ERR_JWT_CLAIM_INVALID', async (_name, claims, header) => {
    const typ = (header as { typ?: string }).typ;
    const options = typ === TOKEN_TYPES.keyB ? { ...expectA, typ: TOKEN_TYPES.keyB } : expectA;
    const code = await codeOf(verify(await craft(claims, header), device.publicKey, options));
    expect(code).toBe('ERR_JWT_CLAIM_INVALID');
  });
});

describe('verify: algorithm confusion (RFC 8725 §2.1, §3.1)', () => {
  it('refuses HS256 keyed with the public key bytes with ERR_JWT_ALG_NOT_ALLOWED', async () => {
    const raw = new Uint8Array(await subtle.exportKey('raw', device.publicKey));
    const jwkText = new TextEncoder().encode(JSON.stringify(await exportJWK(device.publicKey)));
    for (const secret of [raw, jwkText]) {
      const token = await new SignJWT(goodClaims())
        .setProtectedHeader({ alg: 'HS256', typ: TOKEN_TYPES.keyA })
        .sign(secret);
      expect(await codeOf(verify(token, device.publicKey, expectA))).toBe(
        'ERR_JWT_ALG_NOT_ALLOWED',
      );
      expect(await codeOf(verify(token, await exportJWK(device.publicKey), expectA))).toBe(
        'ERR_JWT_ALG_NOT_ALLOWED',
      );
    }
  });

  it('refuses alg none (and NONE, and none with a signature) with ERR_JWT_ALG_NOT_ALLOWED', async () => {
    const unsecured = new UnsecuredJWT(goodClaims()).encode();
    expect(unsecured.endsWith('.')).toBe(true);
    expect(await codeOf(verify(unsecured, device.publicKey, expectA))).toBe(
      'ERR_JWT_ALG_NOT_ALLOWED',
    );
    const [, payload, signature] = (await issueA()).split('.');
    for (const alg of ['none', 'NONE', 'None']) {
      const token = `${b64(JSON.stringify({ alg, typ: TOKEN_TYPES.keyA }))}.${payload}.${signature}`;
      expect(await codeOf(verify(token, device.publicKey, expectA))).toBe(
        'ERR_JWT_ALG_NOT_ALLOWED',
      );
    }
  });

  it('refuses RS256, ES256 and the fully-specified Ed25519 alg with ERR_JWT_ALG_NOT_ALLOWED', async () => {
    const rsa = await subtle.generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      false,
      ['sign', 'verify'],
    );
    const ec = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ]);
    const tokens = [
      await new SignJWT(goodClaims())
        .setProtectedHeader({ alg: 'RS256', typ: TOKEN_TYPES.keyA })
        .sign(rsa.privateKey),
      await new SignJWT(goodClaims())
        .setProtectedHeader({ alg: 'ES256', typ: TOKEN_TYPES.keyA })
        .sign(ec.privateKey),
      await new SignJWT(goodClaims())
        .setProtectedHeader({ alg: 'Ed25519', typ: TOKEN_TYPES.keyA })
        .sign(device.privateKey),
    ];
    for (const token of tokens) {
      expect(await codeOf(verify(token, device.publicKey, expectA))).toBe(
        'ERR_JWT_ALG_NOT_ALLOWED',
      );
    }
  });
});

describe('verify: integrity and form', () => {
  it('refuses a tampered payload or signature, or another signer, with ERR_JWT_SIGNATURE_INVALID', async () => {
    const [header, , signature] = (await issueA()).split('.');
    const [, otherPayload] = (await issueA({ sub: 'evil' })).split('.');
    expect(
      await codeOf(verify(`${header}.${otherPayload}.${signature}`, device.publicKey, expectA)),
    ).toBe('ERR_JWT_SIGNATURE_INVALID');
    const raw = Buffer.from(signature!, 'base64url');
    raw[0] = raw[0]! ^ 1;
    const [, payload] = (await issueA()).split('.');
    expect(
      await codeOf(verify(`${header}.${payload}.${b64(raw)}`, device.publicKey, expectA)),
    ).toBe('ERR_JWT_SIGNATURE_INVALID');
    expect(
      await codeOf(
        verify(`${header}.${payload}.${b64(raw.subarray(0, 63))}`, device.publicKey, expectA),
      ),
    ).toBe('ERR_JWT_SIGNATURE_INVALID');
    expect(await codeOf(verify(await issueA(), stranger.publicKey, expectA))).toBe(
      'ERR_JWT_SIGNATURE_INVALID',
    );
  });

  it.each([
    ['an empty string', ''],
    ['two parts', 'eyJhbGciOiJFZERTQSJ9.e30'],
    ['four parts', 'eyJhbGciOiJFZERTQSJ9.e30.AA.AA'],
    ['a header that is not JSON', `${b64('alg')}.e30.AAAA`],
    ['a header without alg', `${b64('{"typ":"disco-key-a+jwt"}')}.e30.AAAA`],
    ['a padded part', 'eyJhbGciOiJFZERTQSJ9.e30=.AAAA'],
    ['an empty signature', 'eyJhbGciOiJFZERTQSJ9.e30.'],
    ['a crit header', `${b64('{"alg":"EdDSA","crit":["exp"],"exp":1}')}.e30.AAAA`],
    [
      'an unencoded payload (RFC 7797)',
      `${b64('{"alg":"EdDSA","b64":false,"crit":["b64"]}')}.e30.AAAA`,
    ],
  ])('refuses %s with ERR_JWT_MALFORMED', async (_name, token) => {
    expect(await codeOf(verify(token, device.publicKey, expectA))).toBe('ERR_JWT_MALFORMED');
  });

  it('refuses a validly signed payload that is not a JSON object with ERR_JWT_MALFORMED', async () => {
    for (const text of ['hello', '[1,2]', '"str"']) {
      const token = await new CompactSign(new TextEncoder().encode(text))
        .setProtectedHeader({ alg: 'EdDSA', typ: TOKEN_TYPES.keyA })
        .sign(device.privateKey);
      expect(await codeOf(verify(token, device.publicKey, expectA))).toBe('ERR_JWT_MALFORMED');
    }
  });

  it('refuses oversized tokens with ERR_TOO_LARGE', async () => {
    expect(await codeOf(verify('e'.repeat(16 * 1024 + 1), device.publicKey, expectA))).toBe(
      'ERR_TOO_LARGE',
    );
    expect(
      await codeOf(verify(await issueA(), device.publicKey, { ...expectA, maxBytes: 64 })),
    ).toBe('ERR_TOO_LARGE');
  });

  it('refuses keys that are not Ed25519 public keys, and bad options, with ERR_INVALID_INPUT', async () => {
    const token = await issueA();
    const x = await subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']);
    const jwk = await exportJWK(device.publicKey);
    for (const key of [
      device.privateKey,
      x.publicKey,
      { ...jwk, crv: 'X25519' },
      { ...jwk, d: jwk.x },
      'key',
    ]) {
      expect(await codeOf(verify(token, key as CryptoKey, expectA))).toBe('ERR_INVALID_INPUT');
    }
    expect(await codeOf(verify(token, { ...jwk, alg: 'ES256' }, expectA))).toBe(
      'ERR_INVALID_INPUT',
    );
    expect(
      await codeOf(verify(token, device.publicKey, { ...expectA, now: () => Number.NaN })),
    ).toBe('ERR_INVALID_INPUT');
    expect(await codeOf(verify(token, device.publicKey, { ...expectA, maxSkewSeconds: -1 }))).toBe(
      'ERR_INVALID_INPUT',
    );
  });
});
