import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { issue, type IssueInput, type IssueOptions } from './issue.js';
import { MAX_TOKEN_LIFETIME_SECONDS, TOKEN_TYPES } from './token_types.js';
import { codeOf } from '../../../testing/code_of.js';

const NOW_MS = 1_700_000_000_123;
const NOW = Math.floor(NOW_MS / 1000);
const THUMBPRINT = 'A'.repeat(42) + 'E'; // 43 base64url characters, zero pad bits
let device: CryptoKeyPair;

beforeAll(async () => {
  device = await globalThis.crypto.subtle.generateKey({ name: 'Ed25519' }, false, [
    'sign',
    'verify',
  ]);
});

const input: IssueInput = {
  iss: 'device-1',
  sub: 'shop',
  aud: 'https://shop.example',
  scope: 'key_b+address',
  lifetimeSeconds: 300,
};
const opts: IssueOptions = { typ: TOKEN_TYPES.keyA, now: () => NOW_MS };

describe('issue', () => {
  it('writes an EdDSA JWT with explicit typ and the Disco claims', async () => {
    const token = await issue(input, device.privateKey, { ...opts, kid: 'device-key-1' });
    expect(decodeProtectedHeader(token)).toEqual({
      alg: 'EdDSA',
      typ: 'disco-key-a+jwt',
      kid: 'device-key-1',
    });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: 'device-1',
      sub: 'shop',
      aud: 'https://shop.example',
      scope: 'address key_b',
      iat: NOW,
      exp: NOW + 300,
    });
    expect(claims.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'scope', 'sub']);
  });

  it('takes jti from randomId, and is deterministic given clock and randomness (Ed25519)', async () => {
    const fixed = { ...opts, randomId: () => 'fixed-jti-0123456789' };
    const a = await issue(input, device.privateKey, fixed);
    expect(decodeJwt(a).jti).toBe('fixed-jti-0123456789');
    expect(await issue(input, device.privateKey, fixed)).toBe(a);
  });

  it('draws a fresh jti by default', async () => {
    const a = decodeJwt(await issue(input, device.privateKey, opts)).jti;
    const b = decodeJwt(await issue(input, device.privateKey, opts)).jti;
    expect(a).not.toBe(b);
  });

  it('binds key B to a certificate thumbprint (RFC 8705 §3.1)', async () => {
    const token = await issue({ ...input, cnf: { 'x5t#S256': THUMBPRINT } }, device.privateKey, {
      ...opts,
      typ: TOKEN_TYPES.keyB,
    });
    expect(decodeProtectedHeader(token).typ).toBe('disco-key-b+jwt');
    expect(decodeJwt(token).cnf).toEqual({ 'x5t#S256': THUMBPRINT });
  });

  it.each([
    ['key B without cnf', input, { ...opts, typ: TOKEN_TYPES.keyB }],
    ['a cnf that is not a SHA-256 thumbprint', { ...input, cnf: { 'x5t#S256': 'abc' } }, opts],
    ['a zero lifetime', { ...input, lifetimeSeconds: 0 }, opts],
    ['a fractional lifetime', { ...input, lifetimeSeconds: 1.5 }, opts],
    ['too long a lifetime', { ...input, lifetimeSeconds: MAX_TOKEN_LIFETIME_SECONDS + 1 }, opts],
    ['an empty iss', { ...input, iss: '' }, opts],
    ['a non-string sub', { ...input, sub: 7 as unknown as string }, opts],
    ['an unknown typ', input, { ...opts, typ: 'JWT' as never }],
    ['a clock that is not a number', input, { ...opts, now: () => Number.NaN }],
    ['a jti that is too short', input, { ...opts, randomId: () => 'short' }],
    ['an empty kid', input, { ...opts, kid: '' }],
  ])('refuses %s with ERR_INVALID_INPUT', async (_name, badInput, badOpts) => {
    expect(await codeOf(issue(badInput, device.privateKey, badOpts))).toBe('ERR_INVALID_INPUT');
  });

  it.each([
    ['an invalid scope', { ...input, scope: 'Address' }],
    ['an empty scope', { ...input, scope: [] }],
  ])('refuses %s with ERR_SCOPE_INVALID', async (_name, badInput) => {
    expect(await codeOf(issue(badInput, device.privateKey, opts))).toBe('ERR_SCOPE_INVALID');
  });

  it('refuses keys that are not private Ed25519 signing keys with ERR_INVALID_INPUT', async () => {
    const subtle = globalThis.crypto.subtle;
    const ecdsa = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ]);
    const hmac = await subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    for (const key of [device.publicKey, ecdsa.privateKey, hmac, { kty: 'OKP' }]) {
      expect(await codeOf(issue(input, key as CryptoKey, opts))).toBe('ERR_INVALID_INPUT');
    }
  });
});
