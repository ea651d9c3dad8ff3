/**
 * Wycheproof JSON Web Encryption vectors through `open`.
 * Source: C2SP/wycheproof, testvectors_v1/json_web_encryption_test.json, HEAD dac1dd4
 * (https://github.com/C2SP/wycheproof), Apache-2.0 — see /work/shared/vectors/SOURCES.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiscoError } from '../../errors/index.js';
import { open } from './open.js';
import type { EnvelopeAllowList } from './policy.js';
import { VECTORS_DIR } from '../../../testing/vectors.js';

const VECTORS = VECTORS_DIR;

interface Test {
  tcId: number;
  comment: string;
  pt: string;
  enc: string;
  jwe: string;
  result: 'valid' | 'invalid' | 'acceptable';
  flags: string[];
}
interface Group {
  comment: string;
  private: Record<string, string>;
  tests: Test[];
}
const file = JSON.parse(
  readFileSync(join(VECTORS, 'wycheproof/json_web_encryption_test.json'), 'utf8'),
) as { testGroups: Group[] };

/** Everything jose can do with an asymmetric key: what the vectors need, never what we ship. */
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

const hex = (data: Uint8Array): string => Buffer.from(data).toString('hex');

function headerOf(jwe: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(jwe.split('.')[0] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
  } catch {
    return undefined;
  }
}

/** Imports the group's private key as a non-extractable CryptoKey, as production keys are. */
async function importPrivate(jwk: Record<string, string>): Promise<CryptoKey> {
  const subtle = globalThis.crypto.subtle;
  if (jwk.kty === 'RSA') {
    const { kty, n, e, d, p, q, dp, dq, qi } = jwk;
    // The key's hash is fixed at import: SHA-1 for RSA-OAEP, SHA-256 otherwise (RSA1_5 keys too).
    const hash = jwk.alg === 'RSA-OAEP' ? 'SHA-1' : 'SHA-256';
    return subtle.importKey(
      'jwk',
      { kty, n, e, d, p, q, dp, dq, qi } as JsonWebKey,
      { name: 'RSA-OAEP', hash },
      false,
      ['decrypt'],
    );
  }
  if (jwk.kty === 'EC') {
    const { kty, crv, x, y, d } = jwk;
    return subtle.importKey(
      'jwk',
      { kty, crv, x, y, d } as JsonWebKey,
      { name: 'ECDH', namedCurve: crv },
      false,
      ['deriveBits'],
    );
  }
  const raw = Buffer.from(jwk.k ?? '', 'base64url');
  const gcm = jwk.alg?.includes('GCM') === true;
  return subtle.importKey(
    'raw',
    raw,
    gcm ? 'AES-GCM' : 'AES-KW',
    false,
    gcm ? ['decrypt'] : ['unwrapKey'],
  );
}

async function outcome(run: Promise<{ plaintext: Uint8Array }>): Promise<string> {
  try {
    return `plaintext:${hex((await run).plaintext)}`;
  } catch (err) {
    expect(err, 'only DiscoErrors escape').toBeInstanceOf(DiscoError);
    return (err as DiscoError).code;
  }
}

const PROFILE: Record<string, string> = { 'RSA-OAEP-256': 'A256GCM', 'ECDH-ES+A256KW': 'A256GCM' };
const DECRYPTION_FAILURES =
  /^(rejectsModified(AuthenticationTag|Ciphertext|Iv|EncryptedKey)|rejectsMissingCiphertext|rejectsInvalidCurvePoint)$/;

/** What a correct `open` answers with the test-vector allow-list. */
function expected(t: Test): string {
  const alg = headerOf(t.jwe)?.alg;
  // WebCrypto has no RSAES-PKCS1-v1_5: jose v6 cannot even be asked (Bleichenbacher; RFC 8725 §3.2).
  if (alg === 'RSA1_5') return 'ERR_JWE_ALG_NOT_ALLOWED';
  if (t.result === 'valid') return `plaintext:${t.pt}`;
  return DECRYPTION_FAILURES.test(t.comment) ? 'ERR_JWE_DECRYPTION_FAILED' : 'ERR_JWE_MALFORMED';
}

function inProfile(t: Test): boolean {
  const header = headerOf(t.jwe);
  return typeof header?.alg === 'string' && PROFILE[header.alg] === header.enc;
}

const asymmetric = file.testGroups.filter((g) => g.private.kty !== 'oct');
const symmetric = file.testGroups.filter((g) => g.private.kty === 'oct');
const label = (g: Group): string =>
  `${g.comment} ${g.private.alg} ${g.private.crv ?? ''} (tcId ${g.tests[0]?.tcId}–${g.tests.at(-1)?.tcId})`;

describe('Wycheproof JWE, RSA and EC groups, with the test-vector allow-list', () => {
  it.each(asymmetric.map((g) => [label(g), g] as const))('%s', async (_label, group) => {
    const key = await importPrivate(group.private);
    for (const t of group.tests) {
      const got = await outcome(open(t.jwe, key, { unsafeAllowList: VECTOR_ALLOW_LIST }));
      expect(got, `tcId ${t.tcId} ${t.comment}`).toBe(expected(t));
    }
  });

  it('opens every valid vector jose can decrypt (39 of them)', async () => {
    let opened = 0;
    for (const group of asymmetric) {
      const key = await importPrivate(group.private);
      for (const t of group.tests.filter((v) => v.result === 'valid')) {
        const got = await outcome(open(t.jwe, key, { unsafeAllowList: VECTOR_ALLOW_LIST }));
        if (got.startsWith('plaintext:')) opened++;
      }
    }
    expect(opened).toBe(39);
  });
});

describe('Wycheproof JWE, RSA and EC groups, with the default (Disco) allow-list', () => {
  it.each(asymmetric.map((g) => [label(g), g] as const))('%s', async (_label, group) => {
    const key = await importPrivate(group.private);
    for (const t of group.tests) {
      const got = await outcome(open(t.jwe, key));
      const name = `tcId ${t.tcId} ${t.comment}`;
      if (inProfile(t)) expect(got, name).toBe(expected(t));
      else if (t.result === 'valid') expect(got, name).toBe('ERR_JWE_ALG_NOT_ALLOWED');
      else expect(['ERR_JWE_MALFORMED', 'ERR_JWE_ALG_NOT_ALLOWED'], name).toContain(got);
    }
  });

  it('opens the two valid vectors that are in the profile (tcId 66 and 90)', async () => {
    const opened: number[] = [];
    for (const group of asymmetric) {
      const key = await importPrivate(group.private);
      for (const t of group.tests) {
        if ((await outcome(open(t.jwe, key))).startsWith('plaintext:')) opened.push(t.tcId);
      }
    }
    expect(opened).toEqual([66, 90]);
  });
});

describe('Wycheproof JWE, symmetric (oct) groups', () => {
  it.each(symmetric.map((g) => [label(g), g] as const))('%s: refused', async (_label, group) => {
    const key = await importPrivate(group.private);
    for (const t of group.tests) {
      const got = await outcome(open(t.jwe, key));
      const name = `tcId ${t.tcId} ${t.comment}`;
      if (t.result === 'valid') expect(got, name).toBe('ERR_JWE_ALG_NOT_ALLOWED');
      else expect(['ERR_JWE_MALFORMED', 'ERR_JWE_ALG_NOT_ALLOWED'], name).toContain(got);
    }
  });

  it('a secret key is never usable, whatever the allow-list says', async () => {
    const group = symmetric.find((g) => g.tests.some((t) => t.tcId === 29))!;
    const t = group.tests.find((v) => v.tcId === 29)!;
    const lax = { alg: ['A256KW'], enc: ['A256GCM'], curves: [] };
    const got = await outcome(
      open(t.jwe, await importPrivate(group.private), { unsafeAllowList: lax }),
    );
    expect(got).toBe('ERR_JWE_KEY_UNSUPPORTED');
  });
});
