import { generateKeyPairSync } from 'node:crypto';
import { compactDecrypt, CompactEncrypt } from 'jose';
import { describe, expect, it } from 'vitest';
import { x509 } from './lib/peculiar.js';
import { codeOf } from '../../testing/code_of.js';
import { DAY, der, makeCert, NOW, testKeys, type KeyKind } from '../../testing/x509_certs.js';
import { importCertificateKey, parseCertificate, type ParsedCertificate } from './index.js';

async function certFor(kind: KeyKind): Promise<{ cert: ParsedCertificate; keys: CryptoKeyPair }> {
  const keys = await testKeys(kind);
  return {
    cert: await parseCertificate(der(await makeCert({ subject: `CN=${kind}`, keys }))),
    keys: keys.keys,
  };
}

/** The same key pair re-imported for another algorithm, as a client would hold it. */
async function privateKeyAs(
  keys: CryptoKeyPair,
  algorithm: Algorithm | RsaHashedImportParams | EcKeyImportParams,
  usages: KeyUsage[],
) {
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return crypto.subtle.importKey('pkcs8', pkcs8, algorithm, false, usages);
}

describe('importCertificateKey', () => {
  it('RSA for encryption is RSA-OAEP with SHA-256, usable as JWE RSA-OAEP-256', async () => {
    const { cert, keys } = await certFor('RSA');
    const key = await importCertificateKey(cert, 'encrypt');
    expect(key.algorithm).toMatchObject({
      name: 'RSA-OAEP',
      hash: { name: 'SHA-256' },
      modulusLength: 2048,
    });
    expect(key.usages).toEqual(['encrypt']);
    const jwe = await new CompactEncrypt(new TextEncoder().encode('hello'))
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM' })
      .encrypt(key);
    const privateKey = await privateKeyAs(keys, { name: 'RSA-OAEP', hash: 'SHA-256' }, ['decrypt']);
    expect(new TextDecoder().decode((await compactDecrypt(jwe, privateKey)).plaintext)).toBe(
      'hello',
    );
  });

  it('EC P-256 for encryption is ECDH, usable as JWE ECDH-ES+A256KW', async () => {
    const { cert, keys } = await certFor('P-256');
    const key = await importCertificateKey(cert, 'encrypt');
    expect(key.algorithm).toMatchObject({ name: 'ECDH', namedCurve: 'P-256' });
    const jwe = await new CompactEncrypt(new TextEncoder().encode('hello'))
      .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM' })
      .encrypt(key);
    const privateKey = await privateKeyAs(keys, { name: 'ECDH', namedCurve: 'P-256' }, [
      'deriveBits',
    ]);
    expect(new TextDecoder().decode((await compactDecrypt(jwe, privateKey)).plaintext)).toBe(
      'hello',
    );
  });

  it('imports keys for verification: ECDSA, Ed25519, RSA-PSS by default or PKCS#1 v1.5', async () => {
    const data = new TextEncoder().encode('registration');
    const ec = await certFor('P-384');
    const ecKey = await importCertificateKey(ec.cert, 'verify');
    const ecdsa = { name: 'ECDSA', hash: 'SHA-384' };
    const ecSignature = await crypto.subtle.sign(ecdsa, ec.keys.privateKey, data);
    expect(await crypto.subtle.verify(ecdsa, ecKey, ecSignature, data)).toBe(true);

    const ed = await certFor('Ed25519');
    const edSignature = await crypto.subtle.sign('Ed25519', ed.keys.privateKey, data);
    expect(
      await crypto.subtle.verify(
        'Ed25519',
        await importCertificateKey(ed.cert, 'verify'),
        edSignature,
        data,
      ),
    ).toBe(true);

    const rsa = await certFor('RSA');
    const pss = await importCertificateKey(rsa.cert, 'verify');
    expect(pss.algorithm).toMatchObject({ name: 'RSA-PSS', hash: { name: 'SHA-256' } });
    const pssPrivate = await privateKeyAs(rsa.keys, { name: 'RSA-PSS', hash: 'SHA-256' }, ['sign']);
    const pssParams = { name: 'RSA-PSS', saltLength: 32 };
    const pssSignature = await crypto.subtle.sign(pssParams, pssPrivate, data);
    expect(await crypto.subtle.verify(pssParams, pss, pssSignature, data)).toBe(true);

    const pkcs1 = await importCertificateKey(rsa.cert, 'verify', {
      rsaScheme: 'RSASSA-PKCS1-v1_5',
      hash: 'SHA-384',
    });
    expect(pkcs1.algorithm).toMatchObject({ name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-384' } });
  });

  it('refuses keys it cannot use with ERR_CERT_KEY_UNSUPPORTED', async () => {
    expect(await codeOf(importCertificateKey((await certFor('Ed25519')).cert, 'encrypt'))).toBe(
      'ERR_CERT_KEY_UNSUPPORTED',
    );
    for (const kind of ['P-521', 'RSA-1024'] as const) {
      const { cert } = await certFor(kind);
      for (const usage of ['encrypt', 'verify'] as const) {
        expect(await codeOf(importCertificateKey(cert, usage))).toBe('ERR_CERT_KEY_UNSUPPORTED');
      }
    }
  });

  it('refuses key types WebCrypto does not offer (secp256k1)', async () => {
    // The subject key is made with node:crypto: WebCrypto cannot generate it, which is the point.
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
    const issuer = await testKeys('P-256');
    const k1 = await x509.X509CertificateGenerator.create(
      {
        subject: 'CN=k1',
        issuer: 'CN=k1 issuer',
        publicKey: spki,
        signingKey: issuer.keys.privateKey,
        signingAlgorithm: issuer.signingAlgorithm,
        notBefore: new Date(NOW - DAY),
        notAfter: new Date(NOW + DAY),
      },
      crypto,
    );
    const cert = await parseCertificate(der(k1));
    expect(cert.publicKey.type).toBe('unsupported');
    for (const usage of ['encrypt', 'verify'] as const) {
      expect(await codeOf(importCertificateKey(cert, usage))).toBe('ERR_CERT_KEY_UNSUPPORTED');
    }
  });

  it('hands the same key again for the same parse and options, and imports anew otherwise', async () => {
    const keys = await testKeys('P-256');
    const bytes = der(await makeCert({ subject: 'CN=kept', keys }));
    const cert = await parseCertificate(bytes);
    const verifyKey = await importCertificateKey(cert, 'verify');
    expect(await importCertificateKey(cert, 'verify')).toBe(verifyKey);
    // Another use is another key; another parse of the same bytes is imported again.
    const encryptKey = await importCertificateKey(cert, 'encrypt');
    expect(encryptKey).not.toBe(verifyKey);
    expect(encryptKey.algorithm.name).toBe('ECDH');
    expect(await importCertificateKey(await parseCertificate(bytes), 'verify')).not.toBe(verifyKey);
  });

  it('keeps no failure: a refused import is refused again', async () => {
    const { cert } = await certFor('Ed25519');
    expect(await codeOf(importCertificateKey(cert, 'encrypt'))).toBe('ERR_CERT_KEY_UNSUPPORTED');
    expect(await codeOf(importCertificateKey(cert, 'encrypt'))).toBe('ERR_CERT_KEY_UNSUPPORTED');
  });
});
