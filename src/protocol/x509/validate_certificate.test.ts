import { describe, expect, it } from 'vitest';
import { x509 } from './lib/peculiar.js';
import { codeOf } from '../../testing/code_of.js';
import {
  caSpec,
  DAY,
  makeCert,
  NOW,
  options,
  parse,
  pki,
  tampered,
  testKeys,
  type CertSpec,
} from '../../testing/x509_certs.js';
import { parseCertificate, validateCertificate } from './index.js';

const { KeyUsageFlags: KU, ExtendedKeyUsage: EKU } = x509;

describe.each(['RSA', 'P-256'] as const)('validateCertificate with %s keys', (kind) => {
  it('accepts a self-signed certificate the person pinned, and only then', async () => {
    const p = await pki(kind);
    const result = await validateCertificate(
      p.selfSigned,
      options([p.root], { pins: [p.selfSigned.thumbprint] }),
    );
    expect(result.trust).toBe('pinned');
    expect(result.path).toEqual([p.selfSigned]);
    expect(await codeOf(validateCertificate(p.selfSigned, options([p.root])))).toBe(
      'ERR_CERT_UNTRUSTED',
    );
    expect(
      await codeOf(
        validateCertificate(p.selfSigned, options([p.root], { pins: [p.leaf.thumbprint] })),
      ),
    ).toBe('ERR_CERT_UNTRUSTED');
  });

  it('refuses a pinned self-signed certificate whose signature no longer verifies', async () => {
    const p = await pki(kind);
    const bad = await parseCertificate(tampered(p.selfSigned.certificate));
    expect(await codeOf(validateCertificate(bad, options([], { pins: [bad.thumbprint] })))).toBe(
      'ERR_CERT_SIGNATURE_INVALID',
    );
  });

  it('accepts leaf → intermediate → root, whatever the order of the intermediates', async () => {
    const p = await pki(kind);
    const stranger = await parse(await makeCert(caSpec('CN=Stranger', await testKeys('P-256', 9))));
    for (const intermediates of [[p.int], [stranger, p.int, p.root]]) {
      const result = await validateCertificate(
        p.leaf,
        options([p.root], { intermediates, now: new Date(NOW) }),
      );
      expect(result.trust).toBe('anchor');
      expect(result.path.map((c) => c.subjectCommonName)).toEqual([
        'client.example',
        'Issuing CA',
        'Root',
      ]);
    }
    // the intermediate itself may be the anchor
    expect((await validateCertificate(p.leaf, options([p.int]))).path).toHaveLength(2);
  });

  it('refuses a chain without its intermediate, or to another root', async () => {
    const p = await pki(kind);
    expect(await codeOf(validateCertificate(p.leaf, options([p.root])))).toBe('ERR_CERT_UNTRUSTED');
    const other = await parse(await makeCert(caSpec('CN=Other Root', await testKeys('P-256', 8))));
    expect(
      await codeOf(validateCertificate(p.leaf, options([other], { intermediates: [p.int] }))),
    ).toBe('ERR_CERT_UNTRUSTED');
    expect(
      await codeOf(validateCertificate(p.leaf, options([], { intermediates: [p.int, p.root] }))),
    ).toBe('ERR_CERT_UNTRUSTED');
  });

  it('enforces the validity window of the leaf, with bounded skew', async () => {
    const p = await pki(kind);
    const expired = await parse(
      await makeCert(p.leafSpec({ notBefore: NOW - 9 * DAY, notAfter: NOW - 60_000 })),
    );
    const future = await parse(
      await makeCert(p.leafSpec({ notBefore: NOW + 60_000, notAfter: NOW + 9 * DAY })),
    );
    const chain = { intermediates: [p.int] };
    expect(await codeOf(validateCertificate(expired, options([p.root], chain)))).toBe(
      'ERR_CERT_EXPIRED',
    );
    expect(await codeOf(validateCertificate(future, options([p.root], chain)))).toBe(
      'ERR_CERT_NOT_YET_VALID',
    );
    for (const cert of [expired, future]) {
      expect(
        await codeOf(
          validateCertificate(cert, options([p.root], { ...chain, maxSkewSeconds: 59 })),
        ),
      ).not.toBe('resolved');
      expect(
        await codeOf(
          validateCertificate(cert, options([p.root], { ...chain, maxSkewSeconds: 60 })),
        ),
      ).toBe('resolved');
    }
    // notAfter itself is still valid (RFC 5280 §4.1.2.5)
    const edge = await validateCertificate(
      expired,
      options([p.root], { ...chain, now: NOW - 60_000 }),
    );
    expect(edge.trust).toBe('anchor');
  });

  it('enforces the validity window of every issuer', async () => {
    const p = await pki(kind);
    const oldRoot = await parse(
      await makeCert({
        ...caSpec('CN=Root, O=Acme', p.rootKeys),
        notBefore: NOW - 9 * DAY,
        notAfter: NOW - DAY,
      }),
    );
    expect(
      await codeOf(validateCertificate(p.leaf, options([oldRoot], { intermediates: [p.int] }))),
    ).toBe('ERR_CERT_EXPIRED');
    const lateInt = await parse(
      await makeCert({
        ...caSpec('CN=Issuing CA, O=Acme', p.intKeys, 0),
        issuer: { cert: p.rootCert, keys: p.rootKeys },
        notBefore: NOW + DAY,
      }),
    );
    expect(
      await codeOf(validateCertificate(p.leaf, options([p.root], { intermediates: [lateInt] }))),
    ).toBe('ERR_CERT_NOT_YET_VALID');
  });

  it('refuses a leaf whose issuer signature was tampered with', async () => {
    const p = await pki(kind);
    const bad = await parseCertificate(tampered(p.leaf.certificate));
    expect(
      await codeOf(validateCertificate(bad, options([p.root], { intermediates: [p.int] }))),
    ).toBe('ERR_CERT_SIGNATURE_INVALID');
    const badInt = await parseCertificate(tampered(p.intCert));
    expect(
      await codeOf(validateCertificate(p.leaf, options([p.root], { intermediates: [badInt] }))),
    ).toBe('ERR_CERT_SIGNATURE_INVALID');
  });

  it('refuses issuers that are not CAs', async () => {
    const p = await pki(kind);
    const issuer = { cert: p.rootCert, keys: p.rootKeys };
    const variants: Partial<CertSpec>[] = [
      { basicConstraints: { ca: false } },
      { basicConstraints: undefined },
      { basicConstraints: { ca: true, critical: false } },
      { keyUsage: KU.digitalSignature | KU.cRLSign },
    ];
    for (const variant of variants) {
      const int = await parse(
        await makeCert({ ...caSpec('CN=Issuing CA, O=Acme', p.intKeys), issuer, ...variant }),
      );
      expect(
        await codeOf(validateCertificate(p.leaf, options([p.root], { intermediates: [int] }))),
      ).toBe('ERR_CERT_BASIC_CONSTRAINTS');
    }
  });

  it('enforces pathLenConstraint', async () => {
    const p = await pki(kind);
    // root → Issuing CA (pathLen 0) → Sub CA → leaf: one CA too many below Issuing CA
    const subKeys = await testKeys(kind, 3);
    const sub = await makeCert({
      ...caSpec('CN=Sub CA', subKeys),
      issuer: { cert: p.intCert, keys: p.intKeys },
    });
    const leaf = await parse(await makeCert(p.leafSpec({ issuer: { cert: sub, keys: subKeys } })));
    const intermediates = [p.int, await parse(sub)];
    expect(await codeOf(validateCertificate(leaf, options([p.root], { intermediates })))).toBe(
      'ERR_CERT_BASIC_CONSTRAINTS',
    );
    // without the constraint the same shape is fine, and maxIntermediates bounds it instead
    const int = await makeCert({
      ...caSpec('CN=Issuing CA, O=Acme', p.intKeys),
      issuer: { cert: p.rootCert, keys: p.rootKeys },
    });
    const open = [await parse(int), await parse(sub)];
    expect(
      (await validateCertificate(leaf, options([p.root], { intermediates: open }))).path,
    ).toHaveLength(4);
    expect(
      await codeOf(
        validateCertificate(leaf, options([p.root], { intermediates: open, maxIntermediates: 1 })),
      ),
    ).toBe('ERR_CERT_UNTRUSTED');
  });

  it('refuses a CA certificate as the client certificate, pinned or not', async () => {
    const p = await pki(kind);
    const ca = await parse(await makeCert(p.leafSpec({ basicConstraints: { ca: true } })));
    expect(
      await codeOf(validateCertificate(ca, options([p.root], { intermediates: [p.int] }))),
    ).toBe('ERR_CERT_BASIC_CONSTRAINTS');
    const selfCa = await parse(
      await makeCert(p.leafSpec({ issuer: undefined, basicConstraints: { ca: true } })),
    );
    expect(
      await codeOf(validateCertificate(selfCa, options([], { pins: [selfCa.thumbprint] }))),
    ).toBe('ERR_CERT_BASIC_CONSTRAINTS');
  });

  it('checks the leaf key usage against the purpose', async () => {
    const p = await pki(kind);
    const chain = { intermediates: [p.int] };
    const certSign = await parse(await makeCert(p.leafSpec({ keyUsage: KU.keyCertSign })));
    expect(await codeOf(validateCertificate(certSign, options([p.root], chain)))).toBe(
      'ERR_CERT_KEY_USAGE',
    );
    const signOnly = await parse(await makeCert(p.leafSpec({ keyUsage: KU.digitalSignature })));
    expect(await codeOf(validateCertificate(signOnly, options([p.root], chain)))).toBe('resolved');
    expect(
      await codeOf(
        validateCertificate(signOnly, options([p.root], { ...chain, purpose: 'encrypt' })),
      ),
    ).toBe('ERR_CERT_KEY_USAGE');
    const both = { ...chain, purpose: ['verify', 'encrypt'] as const };
    expect(await codeOf(validateCertificate(p.leaf, options([p.root], both)))).toBe('resolved');
    const encryptOnly = await parse(
      await makeCert(p.leafSpec({ keyUsage: p.usage & ~KU.digitalSignature })),
    );
    expect(await codeOf(validateCertificate(encryptOnly, options([p.root], both)))).toBe(
      'ERR_CERT_KEY_USAGE',
    );
    const noUsage = await parse(await makeCert(p.leafSpec({ keyUsage: undefined })));
    expect(await codeOf(validateCertificate(noUsage, options([p.root], both)))).toBe('resolved');
  });

  it('checks the leaf extended key usage for client authentication', async () => {
    const p = await pki(kind);
    const chain = { intermediates: [p.int] };
    const server = await parse(await makeCert(p.leafSpec({ extendedKeyUsage: [EKU.serverAuth] })));
    expect(await codeOf(validateCertificate(server, options([p.root], chain)))).toBe(
      'ERR_CERT_KEY_USAGE',
    );
    expect(
      await codeOf(
        validateCertificate(
          server,
          options([p.root], { ...chain, extendedKeyUsage: [EKU.serverAuth] }),
        ),
      ),
    ).toBe('resolved');
    for (const extendedKeyUsage of [undefined, ['2.5.29.37.0'], [EKU.serverAuth, EKU.clientAuth]]) {
      const cert = await parse(await makeCert(p.leafSpec({ extendedKeyUsage })));
      expect(await codeOf(validateCertificate(cert, options([p.root], chain)))).toBe('resolved');
    }
  });

  it('refuses unknown critical extensions in the leaf and in issuers (RFC 5280 §4.2)', async () => {
    const p = await pki(kind);
    const odd = new x509.Extension('1.3.6.1.4.1.55738.666.1', true, new Uint8Array([5, 0]));
    const leaf = await parse(await makeCert(p.leafSpec({ extensions: [odd] })));
    expect(
      await codeOf(validateCertificate(leaf, options([p.root], { intermediates: [p.int] }))),
    ).toBe('ERR_CERT_UNTRUSTED');
    const root = await parse(
      await makeCert({ ...caSpec('CN=Root, O=Acme', p.rootKeys), extensions: [odd] }),
    );
    expect(
      await codeOf(validateCertificate(p.leaf, options([root], { intermediates: [p.int] }))),
    ).toBe('ERR_CERT_UNTRUSTED');
    const quiet = new x509.Extension('1.3.6.1.4.1.55738.666.1', false, new Uint8Array([5, 0]));
    const fine = await parse(await makeCert(p.leafSpec({ extensions: [quiet] })));
    expect(
      await codeOf(validateCertificate(fine, options([p.root], { intermediates: [p.int] }))),
    ).toBe('resolved');
  });
});
