import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { x509 } from './lib/peculiar.js';
import { codeOf } from '../../testing/code_of.js';
import { caSpec, der, makeCert, NOW, testKeys, DAY } from '../../testing/x509_certs.js';
import { MAX_CERTIFICATE_BYTES, parseCertificate, parseCertificateChain } from './index.js';

const sha256url = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64url');

async function fixtures() {
  const rootKeys = await testKeys('P-256', 1);
  const root = await makeCert(caSpec('CN=Acme Root, O=Acme', rootKeys, 1));
  const leaf = await makeCert({
    subject: 'CN=shop.example, O=Shop Ltd',
    keys: await testKeys('RSA'),
    issuer: { cert: root, keys: rootKeys },
    basicConstraints: { ca: false },
    keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
    extendedKeyUsage: [x509.ExtendedKeyUsage.clientAuth, '1.2.3.4'],
    serialNumber: '0a1b2c',
    notBefore: NOW - DAY,
    notAfter: NOW + DAY,
  });
  return { root, leaf };
}

describe('parseCertificate', () => {
  it('summarises a CA-issued RSA certificate, from PEM and from DER alike', async () => {
    const { leaf } = await fixtures();
    const fromDer = await parseCertificate(der(leaf));
    const fromPem = await parseCertificate(leaf.toString('pem'));
    expect(fromPem.thumbprint).toBe(fromDer.thumbprint);
    expect(fromPem.der).toEqual(fromDer.der);
    expect(fromDer).toMatchObject({
      subject: 'CN=shop.example, O=Shop Ltd',
      subjectCommonName: 'shop.example',
      issuer: 'CN=Acme Root, O=Acme',
      issuerCommonName: 'Acme Root',
      serialNumber: '0a1b2c',
      notBefore: new Date(NOW - DAY),
      notAfter: new Date(NOW + DAY),
      publicKey: { type: 'RSA', modulusBits: 2048 },
      signatureAlgorithm: 'ECDSA with SHA-256',
      thumbprint: sha256url(der(leaf)),
      selfSigned: false,
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extendedKeyUsage: ['clientAuth', '1.2.3.4'],
      basicConstraints: { ca: false, pathLength: null, critical: true },
    });
    expect(fromDer.certificate.subject).toBe(fromDer.subject);
  });

  it('summarises a self-signed CA and reports absent extensions as null', async () => {
    const { root } = await fixtures();
    const parsed = await parseCertificate(der(root));
    expect(parsed).toMatchObject({
      publicKey: { type: 'EC', curve: 'P-256' },
      selfSigned: true,
      keyUsage: ['keyCertSign', 'cRLSign'],
      extendedKeyUsage: null,
      basicConstraints: { ca: true, pathLength: 1, critical: true },
    });
    const bare = await makeCert({ subject: 'CN=bare', keys: await testKeys('Ed25519') });
    expect(await parseCertificate(der(bare))).toMatchObject({
      publicKey: { type: 'Ed25519' },
      signatureAlgorithm: 'Ed25519',
      selfSigned: true,
      keyUsage: null,
      extendedKeyUsage: null,
      basicConstraints: null,
    });
    const p384 = await makeCert({ subject: 'CN=p384', keys: await testKeys('P-384') });
    expect((await parseCertificate(der(p384))).publicKey).toEqual({ type: 'EC', curve: 'P-384' });
  });

  it('keeps its own copy of the DER', async () => {
    const { leaf } = await fixtures();
    const input = der(leaf);
    const parsed = await parseCertificate(input);
    input[10] = input[10]! ^ 0xff;
    expect(parsed.thumbprint).toBe(sha256url(parsed.der));
    expect(parsed.der[10]).not.toBe(input[10]);
  });

  it('refuses garbage, truncated, trailing and oversized DER with ERR_CERT_MALFORMED', async () => {
    const { leaf } = await fixtures();
    const good = der(leaf);
    const cases: Uint8Array[] = [
      new Uint8Array(),
      new Uint8Array([1, 2, 3, 4]),
      crypto.getRandomValues(new Uint8Array(600)),
      good.slice(0, good.length - 1),
      good.slice(0, 40),
      new Uint8Array([...good, 0]),
      new Uint8Array([...good, ...good]),
      new Uint8Array(MAX_CERTIFICATE_BYTES + 1),
      // BER indefinite length instead of DER
      new Uint8Array([0x30, 0x80, ...good.slice(4), 0, 0]),
    ];
    for (const input of cases)
      expect(await codeOf(parseCertificate(input))).toBe('ERR_CERT_MALFORMED');
    expect(await codeOf(parseCertificate(42 as unknown as string))).toBe('ERR_CERT_MALFORMED');
  });

  it('refuses PEM that is not exactly one CERTIFICATE block', async () => {
    const { leaf, root } = await fixtures();
    const pem = leaf.toString('pem');
    const body = pem.split('\n').slice(1, -1).join('\n');
    const cases = [
      '',
      'hello',
      pem + '\n' + root.toString('pem'),
      'subject=CN=shop\n' + pem,
      pem + '\ntrailing',
      pem.replace(/CERTIFICATE/g, 'PUBLIC KEY'),
      `-----BEGIN CERTIFICATE-----\n${body.replace('A', '*')}\n-----END CERTIFICATE-----`,
      `-----BEGIN CERTIFICATE-----\n${body.slice(0, -8)}\n-----END CERTIFICATE-----`,
      `-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\n${body}\n-----END CERTIFICATE-----`,
      `-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----`,
      'A'.repeat(200_000),
    ];
    for (const input of cases)
      expect(await codeOf(parseCertificate(input)), input.slice(0, 60)).toBe('ERR_CERT_MALFORMED');
    // whitespace around the block and CRLF line breaks are fine
    const crlf = `\r\n  ${pem.replace(/\n/g, '\r\n')}\r\n`;
    expect((await parseCertificate(crlf)).thumbprint).toBe(sha256url(der(leaf)));
  });

  it('answers any corruption with a certificate or ERR_CERT_MALFORMED, never another error', async () => {
    const { leaf } = await fixtures();
    const good = der(leaf);
    let seed = 0x5eed;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 300; i++) {
      const bytes = good.slice(0, i % 7 === 0 ? Math.floor(next() * good.length) : good.length);
      for (let k = 0; k < 3; k++)
        bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
      const code = await codeOf(parseCertificate(bytes));
      expect(['resolved', 'ERR_CERT_MALFORMED']).toContain(code);
    }
  });

  it('refuses a certificate with the same extension twice (RFC 5280 §4.2)', async () => {
    const keys = await testKeys('P-256');
    const cert = await makeCert({
      subject: 'CN=twice',
      keys,
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyAgreement),
      ],
    });
    expect(await codeOf(parseCertificate(der(cert)))).toBe('ERR_CERT_MALFORMED');
  });
});

describe('parseCertificateChain', () => {
  it('parses every block of a PEM chain, in order', async () => {
    const { leaf, root } = await fixtures();
    const chain = await parseCertificateChain(`${leaf.toString('pem')}\n${root.toString('pem')}\n`);
    expect(chain.map((c) => c.subjectCommonName)).toEqual(['shop.example', 'Acme Root']);
  });

  it('refuses empty chains, stray text, too many blocks and any bad member', async () => {
    const { leaf } = await fixtures();
    const pem = leaf.toString('pem');
    const broken = pem.replace(/\n[A-Za-z0-9+/]{8}/, '\nAAAAAAAA');
    for (const input of ['', `${pem}\nx`, Array(11).fill(pem).join('\n'), `${pem}\n${broken}`]) {
      expect(await codeOf(parseCertificateChain(input))).toBe('ERR_CERT_MALFORMED');
    }
  });
});
