import { describe, expect, it } from 'vitest';
import { codeOf } from '../../testing/code_of.js';
import { caSpec, makeCert, options, parse, pki, testKeys } from '../../testing/x509_certs.js';
import { validateCertificate, type ValidateCertificateOptions } from './index.js';

describe('validateCertificate, key and algorithm policy', () => {
  it('refuses SHA-1 signatures', async () => {
    const rootKeys = await testKeys('RSA-SHA1', 1);
    const root = await makeCert(caSpec('CN=Old Root', rootKeys));
    const leaf = await makeCert({
      subject: 'CN=old',
      keys: await testKeys('P-256'),
      issuer: { cert: root, keys: rootKeys },
    });
    expect(await codeOf(validateCertificate(await parse(leaf), options([await parse(root)])))).toBe(
      'ERR_CERT_SIGNATURE_INVALID',
    );
  });

  it('accepts Ed25519 keys for verification only', async () => {
    const cert = await parse(await makeCert({ subject: 'CN=ed', keys: await testKeys('Ed25519') }));
    const pins = [cert.thumbprint];
    expect((await validateCertificate(cert, options([], { pins }))).trust).toBe('pinned');
    expect(await codeOf(validateCertificate(cert, options([], { pins, purpose: 'encrypt' })))).toBe(
      'ERR_CERT_KEY_UNSUPPORTED',
    );
  });

  it('refuses RSA keys under 2048 bits and P-521 keys', async () => {
    for (const kind of ['RSA-1024', 'P-521'] as const) {
      const cert = await parse(
        await makeCert({ subject: `CN=${kind}`, keys: await testKeys(kind) }),
      );
      expect(
        await codeOf(validateCertificate(cert, options([], { pins: [cert.thumbprint] }))),
      ).toBe('ERR_CERT_KEY_UNSUPPORTED');
    }
  });

  it('bounds the work: too many intermediates, many look-alike issuers', async () => {
    const p = await pki('P-256');
    const decoys = await Promise.all(
      Array.from({ length: 17 }, async (_, i) =>
        parse(
          await makeCert({
            ...caSpec('CN=Issuing CA, O=Acme', await testKeys('P-256', 20 + (i % 4))),
          }),
        ),
      ),
    );
    expect(
      await codeOf(validateCertificate(p.leaf, options([p.root], { intermediates: decoys }))),
    ).toBe('ERR_CERT_UNTRUSTED');
    const some = [...decoys.slice(0, 15), p.int];
    expect(
      (await validateCertificate(p.leaf, options([p.root], { intermediates: some }))).path,
    ).toHaveLength(3);
  });

  it('gives up on a maze of self-issued certificates that all verify each other', async () => {
    // 16 self-issued CA certificates sharing one name and one key: each verifies every other, so
    // the paths number in the billions; only the signature-check budget ends the search.
    const keys = await testKeys('P-256', 30);
    const maze = await Promise.all(
      Array.from({ length: 16 }, async () => parse(await makeCert(caSpec('CN=Maze', keys)))),
    );
    const leaf = await parse(
      await makeCert({
        subject: 'CN=lost',
        keys: await testKeys('P-256'),
        issuer: { cert: maze[0]!.certificate, keys },
      }),
    );
    const root = await parse(await makeCert(caSpec('CN=Root', await testKeys('P-256', 31))));
    const started = Date.now();
    expect(await codeOf(validateCertificate(leaf, options([root], { intermediates: maze })))).toBe(
      'ERR_CERT_UNTRUSTED',
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses nonsensical options with RangeError', async () => {
    const p = await pki('P-256');
    const bad: Partial<ValidateCertificateOptions>[] = [
      { maxSkewSeconds: 301 },
      { maxSkewSeconds: -1 },
      { maxSkewSeconds: 1.5 },
      { now: Number.NaN },
      { now: new Date('nope') },
      { purpose: [] },
      { maxIntermediates: 9 },
    ];
    for (const more of bad) {
      await expect(validateCertificate(p.leaf, options([p.root], more))).rejects.toThrow(
        RangeError,
      );
    }
  });
});
