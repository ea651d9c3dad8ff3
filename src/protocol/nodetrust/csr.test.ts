import { describe, expect, it } from 'vitest';
import { isDiscoError } from '../errors/index.js';
import { x509 } from '../x509/lib/peculiar.js';
import { createCsr, generateCertificateKey, readCsr } from './csr.js';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return isDiscoError(err) ? err.code : `not a DiscoError: ${String(err)}`;
  }
  return undefined;
}

describe('CSRs', () => {
  it('name the requested names and report the key type', async () => {
    const keys = await generateCertificateKey('ecdsa-p256');
    const der = await createCsr(['a.nt.test', 'B.nt.test'], keys, 'ecdsa-p256');
    const summary = await readCsr(der, ['ecdsa-p256']);
    expect(summary).toEqual({ names: ['a.nt.test', 'b.nt.test'], algorithm: 'ecdsa-p256' });
    expect(keys.privateKey.extractable).toBe(false);
  });

  it('refuse a key of the wrong type (Ed25519, or one not negotiated)', async () => {
    const ed = await crypto.subtle.generateKey('Ed25519', false, ['sign', 'verify']);
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: 'CN=a.nt.test',
      keys: ed,
      signingAlgorithm: { name: 'Ed25519' },
    });
    expect(await codeOf(readCsr(new Uint8Array(csr.rawData), ['ecdsa-p256']))).toBe(
      'ERR_NODETRUST_CSR_KEY',
    );
    const p384 = await generateCertificateKey('ecdsa-p384');
    const der = await createCsr(['a.nt.test'], p384, 'ecdsa-p384');
    expect(await codeOf(readCsr(der, ['ecdsa-p256']))).toBe('ERR_NODETRUST_CSR_KEY');
  });

  it('refuse garbage, a broken signature and non-DNS names', async () => {
    const keys = await generateCertificateKey('ecdsa-p256');
    const der = await createCsr(['a.nt.test'], keys, 'ecdsa-p256');
    const tampered = der.slice();
    tampered[40] = (tampered[40] ?? 0) ^ 1; // in the subject
    expect(await codeOf(readCsr(tampered, ['ecdsa-p256']))).toMatch(
      /ERR_NODETRUST_CSR_(INVALID|KEY)/,
    );
    expect(await codeOf(readCsr(Uint8Array.of(0x30, 0x03, 1, 2, 3), ['ecdsa-p256']))).toBe(
      'ERR_NODETRUST_CSR_INVALID',
    );
    expect(await codeOf(readCsr(new Uint8Array(9000), ['ecdsa-p256']))).toBe(
      'ERR_NODETRUST_CSR_INVALID',
    );
    const ip = await x509.Pkcs10CertificateRequestGenerator.create({
      name: 'CN=a.nt.test',
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }])],
    });
    expect(await codeOf(readCsr(new Uint8Array(ip.rawData), ['ecdsa-p256']))).toBe(
      'ERR_NODETRUST_CSR_INVALID',
    );
  });
});
