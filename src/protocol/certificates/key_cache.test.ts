import { describe, expect, it } from 'vitest';
import { codeOfCall as codeOf } from '../../testing/code_of.js';
import { idOf, importedKeyCount, openEnvelope, verifyEd25519 } from './envelope.js';
import { encodeCanonical } from './cbor.js';
import { issueCertificate } from './issue_certificate.js';
import { parseCertificate } from './parse_certificate.js';
import { generateKey } from './test_keys.js';

// envelope.ts keeps imported verification keys by their bytes (issue #8's bench). A held key
// must change nothing about what verifies: these run with the keys already held.

const T = Math.floor(Date.UTC(2026, 11, 3) / 1000);

async function certificate() {
  const device = await generateKey();
  const app = await generateKey();
  const cert = await issueCertificate(
    {
      issuer: device.publicKey,
      subject: app.publicKey,
      capabilities: [{ resource: 'https://notes.example/notes/*', actions: ['create'] }],
      notBefore: T,
      expiresAt: T + 3600,
      nonce: new Uint8Array(16).fill(3),
    },
    device.sign,
  );
  return { device, app, cert };
}

describe('the imported-key cache', () => {
  it('never lets a tampered certificate through once its issuer key is held', async () => {
    const { cert } = await certificate();
    await parseCertificate(cert.bytes); // the issuer's key is held from here on
    expect((await parseCertificate(cert.bytes)).id).toBe(cert.id);
    const codes = new Set<string | undefined>();
    for (let i = 0; i < cert.bytes.length; i++) {
      const tampered = cert.bytes.slice();
      tampered[i]! ^= 0x01;
      const code = await codeOf(() => parseCertificate(tampered));
      expect(code, `byte ${i}`).toBeDefined();
      codes.add(code);
      // and the good document still verifies between tampered ones
      if (i % 16 === 0) expect((await parseCertificate(cert.bytes)).id).toBe(cert.id);
    }
    expect(codes).toContain('ERR_CAP_SIGNATURE_INVALID');
  });

  it("refuses a certificate re-signed by another held key under the issuer's name", async () => {
    const { cert, app } = await certificate();
    const other = await certificate();
    await parseCertificate(other.cert.bytes); // both issuers held
    const opened = await openEnvelope(cert.bytes, 'disco/cap/cert/1', 4096);
    // the same body, signed by a key the cache holds (the other device's), not by `iss`
    const forged = encodeCanonical([
      await other.device.sign(opened.signed),
      { 'disco/cap/cert/1': opened.body },
    ]);
    expect(await codeOf(() => parseCertificate(forged))).toBe('ERR_CAP_SIGNATURE_INVALID');
    // and a signature by the subject (held once it verified anything) is no better
    const bySubject = encodeCanonical([
      await app.sign(opened.signed),
      { 'disco/cap/cert/1': opened.body },
    ]);
    expect(await codeOf(() => parseCertificate(bySubject))).toBe('ERR_CAP_SIGNATURE_INVALID');
  });

  it('keeps no key that failed to import, and stays bounded', async () => {
    const signature = new Uint8Array(64);
    const before = importedKeyCount();
    // a key WebCrypto refuses to import: false, and nothing held
    expect(await verifyEd25519(new Uint8Array(31), new Uint8Array([1]), signature)).toBe(false);
    expect(importedKeyCount()).toBe(before);
    for (let i = 0; i < 300; i++) {
      const key = new Uint8Array(32);
      key[0] = i & 0xff;
      key[1] = i >> 8;
      await verifyEd25519(key, new Uint8Array([1]), signature);
    }
    expect(importedKeyCount()).toBeLessThanOrEqual(256);
  });

  it('the id is the SHA-256 of the signed bytes (the bytes after the signature)', async () => {
    const { cert } = await certificate();
    const signed = cert.bytes.subarray(67);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', signed.slice()));
    expect(idOf(signed)).toBe(Buffer.from(digest).toString('base64url'));
    expect(cert.id).toBe(idOf(signed));
  });
});
