/**
 * RFC 7520 (JOSE Cookbook) §5 JWE examples and the cookbook's X25519 ECDH-ES example (RFC 8037) through `open`.
 * Source: ietf-jose/cookbook, jwe/*.json and curve25519/ecdh-es.json, commit 13692b6
 * (https://github.com/ietf-jose/cookbook), Unlicense — see /work/shared/vectors/SOURCES.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiscoError } from '../../errors/index.js';
import { open } from './open.js';
import type { EnvelopeAllowList } from './policy.js';
import { VECTORS_DIR } from '../../../testing/vectors.js';

const VECTORS = VECTORS_DIR;

interface Example {
  input: { plaintext: string; alg: string | string[]; enc: string; key?: Record<string, string> };
  output: { compact?: string; json?: unknown; json_flat?: unknown };
}
const read = (path: string): Example =>
  JSON.parse(readFileSync(join(VECTORS, 'jose', path), 'utf8')) as Example;

const VECTOR_ALLOW_LIST: EnvelopeAllowList = {
  alg: [
    'RSA-OAEP',
    'RSA-OAEP-256',
    'ECDH-ES',
    'ECDH-ES+A128KW',
    'ECDH-ES+A192KW',
    'ECDH-ES+A256KW',
  ],
  enc: ['A128GCM', 'A192GCM', 'A256GCM', 'A128CBC-HS256', 'A192CBC-HS384', 'A256CBC-HS512'],
  curves: ['P-256', 'P-384', 'P-521', 'X25519'],
};

/** The example's private key, non-extractable; a throwaway X25519 key when it has none we use. */
async function privateKey(
  jwk: Record<string, string> | undefined,
  alg: string,
): Promise<CryptoKey> {
  const subtle = globalThis.crypto.subtle;
  if (jwk?.kty === 'RSA') {
    const { kty, n, e, d, p, q, dp, dq, qi } = jwk;
    const hash = alg === 'RSA-OAEP' ? 'SHA-1' : 'SHA-256';
    return subtle.importKey(
      'jwk',
      { kty, n, e, d, p, q, dp, dq, qi } as JsonWebKey,
      { name: 'RSA-OAEP', hash },
      false,
      ['decrypt'],
    );
  }
  if (jwk?.kty === 'EC') {
    const { kty, crv, x, y, d } = jwk;
    return subtle.importKey(
      'jwk',
      { kty, crv, x, y, d } as JsonWebKey,
      { name: 'ECDH', namedCurve: crv },
      false,
      ['deriveBits'],
    );
  }
  if (jwk?.kty === 'OKP') {
    const { kty, crv, x, d } = jwk;
    return subtle.importKey('jwk', { kty, crv, x, d } as JsonWebKey, { name: 'X25519' }, false, [
      'deriveBits',
    ]);
  }
  const pair = await subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']);
  return pair.privateKey;
}

async function outcome(run: Promise<{ plaintext: Uint8Array }>): Promise<string> {
  try {
    return new TextDecoder().decode((await run).plaintext);
  } catch (err) {
    expect(err, 'only DiscoErrors escape').toBeInstanceOf(DiscoError);
    return (err as DiscoError).code;
  }
}

describe('RFC 7520 §5.4: ECDH-ES+A128KW (P-384) with A128GCM', () => {
  const example = read(
    'jwe/5_4.key_agreement_with_key_wrapping_using_ecdh-es_and_aes-keywrap_with_aes-gcm.json',
  );

  it('is refused by default with ERR_JWE_ALG_NOT_ALLOWED', async () => {
    const key = await privateKey(example.input.key, 'ECDH-ES+A128KW');
    expect(await outcome(open(example.output.compact!, key))).toBe('ERR_JWE_ALG_NOT_ALLOWED');
  });

  it('decrypts to the published plaintext with the test-vector allow-list', async () => {
    const key = await privateKey(example.input.key, 'ECDH-ES+A128KW');
    const got = await outcome(
      open(example.output.compact!, key, { unsafeAllowList: VECTOR_ALLOW_LIST }),
    );
    expect(got).toBe(example.input.plaintext);
  });

  it('is refused with ERR_JWE_KEY_UNSUPPORTED when P-384 is not on the curve list', async () => {
    const key = await privateKey(example.input.key, 'ECDH-ES+A128KW');
    const noP384 = { ...VECTOR_ALLOW_LIST, curves: ['P-256', 'X25519'] };
    const got = await outcome(open(example.output.compact!, key, { unsafeAllowList: noP384 }));
    expect(got).toBe('ERR_JWE_KEY_UNSUPPORTED');
  });
});

describe('RFC 7520 §5: every compact example', () => {
  const files = readdirSync(join(VECTORS, 'jose/jwe')).filter((name) => name.endsWith('.json'));
  // Only these use an asymmetric key and algorithms jose implements.
  const openable = ['5_2.', '5_4.', '5_5.'];

  it.each(files)('%s', async (name) => {
    const example = read(`jwe/${name}`);
    const alg = Array.isArray(example.input.alg) ? '' : example.input.alg;
    const key = await privateKey(example.input.key, alg);
    for (const serialization of [example.output.json, example.output.json_flat]) {
      if (serialization === undefined) continue;
      // JSON serializations are not envelopes.
      expect(await outcome(open(JSON.stringify(serialization), key))).toBe('ERR_JWE_MALFORMED');
    }
    const compact = example.output.compact;
    if (compact === undefined) return;
    expect(await outcome(open(compact, key))).toBe('ERR_JWE_ALG_NOT_ALLOWED');
    const lax = await outcome(open(compact, key, { unsafeAllowList: VECTOR_ALLOW_LIST }));
    if (openable.some((prefix) => name.startsWith(prefix)))
      expect(lax).toBe(example.input.plaintext);
    else expect(lax).toBe('ERR_JWE_ALG_NOT_ALLOWED');
  });
});

describe('cookbook curve25519/ecdh-es.json (RFC 8037 §3.2, Bob of RFC 7748 §6.1): X25519 ECDH-ES, A128GCM', () => {
  const example = read('curve25519/ecdh-es.json');

  it('is refused by default (direct ECDH-ES, A128GCM) and opens with the test-vector allow-list', async () => {
    const key = await privateKey(example.input.key, 'ECDH-ES');
    expect(key.extractable).toBe(false);
    expect(await outcome(open(example.output.compact!, key))).toBe('ERR_JWE_ALG_NOT_ALLOWED');
    const got = await outcome(
      open(example.output.compact!, key, { unsafeAllowList: VECTOR_ALLOW_LIST }),
    );
    expect(got).toBe(example.input.plaintext);
  });
});
