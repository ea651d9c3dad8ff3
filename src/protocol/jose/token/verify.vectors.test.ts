/**
 * Public JWS vectors through `verifyJws` and `verify`.
 * - Wycheproof json_web_signature_test.json: C2SP/wycheproof testvectors_v1/, HEAD dac1dd4
 *   (https://github.com/C2SP/wycheproof), Apache-2.0. It has no EdDSA group: its HS256, RS256,
 *   PS256–512, ES256/512 groups, alg-confusion and `none` cases must all be refused.
 * - RFC 8037 Appendix A.4 (Ed25519 signing) as cookbook curve25519/jws.json, and RFC 7520 §4 JWS
 *   examples as cookbook jws/*.json: ietf-jose/cookbook 13692b6
 *   (https://github.com/ietf-jose/cookbook), Unlicense.
 * See /work/shared/vectors/SOURCES.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { DiscoError } from '../../errors/index.js';
import { TOKEN_TYPES } from './token_types.js';
import { verify } from './verify.js';
import { verifyJws } from './verify_jws.js';
import { VECTORS_DIR } from '../../../testing/vectors.js';
import { codeOf } from '../../../testing/code_of.js';

const VECTORS = VECTORS_DIR;
const readJson = <T>(path: string): T => JSON.parse(readFileSync(join(VECTORS, path), 'utf8')) as T;

async function outcome(run: Promise<{ payload: Uint8Array }>): Promise<string> {
  try {
    return `payload:${new TextDecoder().decode((await run).payload)}`;
  } catch (err) {
    expect(err, 'only DiscoErrors escape').toBeInstanceOf(DiscoError);
    return (err as DiscoError).code;
  }
}

let device: CryptoKeyPair;
beforeAll(async () => {
  device = await globalThis.crypto.subtle.generateKey({ name: 'Ed25519' }, false, [
    'sign',
    'verify',
  ]);
});

describe('Wycheproof JWS: nothing but EdDSA is ever accepted', () => {
  interface Test {
    tcId: number;
    comment: string;
    jws: string;
    result: string;
  }
  interface Group {
    comment: string;
    private?: JWK;
    public?: JWK;
    tests: Test[];
  }
  const file = readJson<{ testGroups: Group[] }>('wycheproof/json_web_signature_test.json');
  const groups = file.testGroups.map(
    (g) => [`${g.comment} (tcId ${g.tests[0]?.tcId}–${g.tests.at(-1)?.tcId})`, g] as const,
  );
  const options = { now: () => 0, issuer: 'device-1', typ: TOKEN_TYPES.keyA };

  it.each(groups)('%s', async (_label, group) => {
    // The group's own key, as a JWK: holding the right key for the token's alg must not help.
    const ownKey = (group.public ?? group.private) as JWK;
    for (const t of group.tests) {
      const name = `tcId ${t.tcId} ${t.comment}`;
      for (const key of [device.publicKey, ownKey]) {
        const got = await outcome(verifyJws(t.jws, key));
        // A well-formed token is refused for its alg; a broken one may be refused for its form first.
        // Wycheproof calls tcId 372/373 valid (the MAC covers a literal '?'); we refuse any
        // character outside base64url before looking at alg, which is stricter.
        if (t.result === 'valid' && /^[\w-]+\.[\w-]*\.[\w-]+$/.test(t.jws)) {
          expect(got, name).toBe('ERR_JWT_ALG_NOT_ALLOWED');
        } else if (t.result === 'valid') expect(got, name).toBe('ERR_JWT_MALFORMED');
        else expect(['ERR_JWT_ALG_NOT_ALLOWED', 'ERR_JWT_MALFORMED'], name).toContain(got);
        const asToken = await codeOf(verify(t.jws, key, options));
        expect(asToken, name).toBe(got);
      }
    }
  });

  it('refuses the symmetric-confusion and alg-none cases for their alg', async () => {
    const all = file.testGroups.flatMap((g) => g.tests);
    const cases = all.filter((t) => /SymmetryConfusion|None|none/.test(t.comment));
    expect(cases.map((t) => t.tcId)).toEqual(expect.arrayContaining([16, 31, 341, 342, 343, 344]));
    for (const t of cases) {
      expect(await codeOf(verifyJws(t.jws, device.publicKey)), `tcId ${t.tcId}`).toBe(
        'ERR_JWT_ALG_NOT_ALLOWED',
      );
    }
  });
});

describe('RFC 8037 Appendix A.4: Ed25519 signing (cookbook curve25519/jws.json)', () => {
  interface Example {
    input: { payload: string; key: JWK };
    output: { compact: string };
  }
  const example = readJson<Example>('jose/curve25519/jws.json');
  const publicJwk: JWK = { kty: 'OKP', crv: 'Ed25519', x: example.input.key.x! };

  it('verifies with the public JWK and with a non-extractable CryptoKey', async () => {
    expect(await outcome(verifyJws(example.output.compact, publicJwk))).toBe(
      `payload:${example.input.payload}`,
    );
    const key = await globalThis.crypto.subtle.importKey(
      'jwk',
      publicJwk,
      { name: 'Ed25519' },
      false,
      ['verify'],
    );
    expect(await outcome(verifyJws(example.output.compact, key))).toBe(
      `payload:${example.input.payload}`,
    );
  });

  it('refuses it with the wrong key, tampered, or as a token (its payload is no claims set)', async () => {
    const compact = example.output.compact;
    expect(await outcome(verifyJws(compact, device.publicKey))).toBe('ERR_JWT_SIGNATURE_INVALID');
    const [header, payload, signature] = compact.split('.');
    const other = Buffer.from('Example of Ed25519 signinG').toString('base64url');
    expect(await outcome(verifyJws(`${header}.${other}.${signature}`, publicJwk))).toBe(
      'ERR_JWT_SIGNATURE_INVALID',
    );
    expect(await outcome(verifyJws(`${header}.${payload}.${signature}x`, publicJwk))).toBe(
      'ERR_JWT_MALFORMED',
    );
    const asToken = verify(compact, publicJwk, {
      now: () => 0,
      issuer: 'x',
      typ: TOKEN_TYPES.keyA,
    });
    expect(await codeOf(asToken)).toBe('ERR_JWT_MALFORMED');
  });
});

describe('RFC 7520 §4: JWS examples (RS256, PS384, ES512, HS256)', () => {
  interface Example {
    input: { key: JWK };
    output: { compact?: string };
  }
  const files = readdirSync(join(VECTORS, 'jose/jws')).filter((name) => name.endsWith('.json'));

  it.each(files)('%s is refused for its alg', async (name) => {
    const example = readJson<Example>(`jose/jws/${name}`);
    if (example.output.compact === undefined) return;
    expect(await outcome(verifyJws(example.output.compact, device.publicKey))).toBe(
      'ERR_JWT_ALG_NOT_ALLOWED',
    );
  });
});
