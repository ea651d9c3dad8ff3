import { describe, expect, it } from 'vitest';
import { x509 } from './lib/peculiar.js';
import { codeOf } from '../../testing/code_of.js';
import { DAY, der, makeCert, NOW, options, tampered, testKeys } from '../../testing/x509_certs.js';
import {
  createCertificateCache,
  DEFAULT_CACHE_ENTRIES,
  parseCertificate,
  validateCertificate,
  type ParsedCertificate,
} from './index.js';

/** A self-signed client certificate valid for one day from NOW - 1 day. */
async function clientCert(subject = 'CN=client.example') {
  return makeCert({
    subject,
    keys: await testKeys('P-256'),
    basicConstraints: { ca: false },
    keyUsage: x509.KeyUsageFlags.digitalSignature,
    extendedKeyUsage: [x509.ExtendedKeyUsage.clientAuth],
    notBefore: NOW - DAY,
    notAfter: NOW + DAY,
  });
}

/** What the engine does with a certificate: the pinned self-signed case. */
const validatePinned = (cert: ParsedCertificate, pin: string, now = NOW) =>
  validateCertificate(cert, options([], { pins: [pin], now }));

/** A parse result without its parse tree, to compare two results field by field. */
const plain = ({ certificate: _, ...rest }: ParsedCertificate) => rest;

describe('createCertificateCache', () => {
  it('parses as parseCertificate does, from PEM and DER, and serves the same bytes from memory', async () => {
    const cert = await clientCert();
    const cache = createCertificateCache();
    const first = await cache.parse(cert.toString('pem'));
    const again = await cache.parse(der(cert));
    expect(plain(first)).toEqual(plain(await parseCertificate(der(cert))));
    expect(plain(again)).toEqual(plain(first));
    expect(again.certificate).toBe(first.certificate); // served from memory, not parsed again
    expect(cache.size).toBe(1);
  });

  it('hands each caller its own bytes and dates: changing them changes nothing for the next', async () => {
    const cert = await clientCert();
    const cache = createCertificateCache();
    const given = der(cert);
    const first = await cache.parse(given);
    given.fill(0); // the caller reuses its buffer
    first.der.fill(0);
    first.notAfter.setTime(NOW + 1000 * DAY);
    const again = await cache.parse(der(cert));
    expect(again.der).toEqual(der(cert));
    expect(again.notAfter.getTime()).toBe(NOW + DAY);
    expect(Object.isFrozen(again.keyUsage)).toBe(true);
    expect(Object.isFrozen(again.publicKey)).toBe(true);
  });

  it('a kept certificate that has expired by the next request is refused (ERR_CERT_EXPIRED)', async () => {
    const cert = await clientCert();
    const cache = createCertificateCache();
    const first = await cache.parse(der(cert));
    expect((await validatePinned(first, first.thumbprint)).trust).toBe('pinned');
    const later = await cache.parse(der(cert));
    expect(later.certificate).toBe(first.certificate);
    expect(await codeOf(validatePinned(later, first.thumbprint, NOW + 2 * DAY))).toBe(
      'ERR_CERT_EXPIRED',
    );
  });

  it('a certificate differing in one byte is parsed anew and refused as without a cache', async () => {
    const cert = await clientCert();
    const cache = createCertificateCache();
    const original = await cache.parse(der(cert));
    const changed = await cache.parse(tampered(cert)); // one bit of the signature
    expect(changed.certificate).not.toBe(original.certificate);
    expect(changed.thumbprint).not.toBe(original.thumbprint);
    expect(changed.selfSigned).toBe(false);
    expect(cache.size).toBe(2);
    const uncached = await parseCertificate(tampered(cert));
    for (const pin of [original.thumbprint, changed.thumbprint]) {
      const expected = await codeOf(validatePinned(uncached, pin));
      expect(expected).toMatch(/^ERR_CERT_/);
      expect(await codeOf(validatePinned(changed, pin))).toBe(expected);
    }
    // and the original is still itself
    expect((await validatePinned(await cache.parse(der(cert)), original.thumbprint)).trust).toBe(
      'pinned',
    );
  });

  it('refuses what parseCertificate refuses, with the same code, and keeps no failure', async () => {
    const cert = await clientCert();
    const cache = createCertificateCache();
    await cache.parse(der(cert));
    const broken = der(cert);
    broken[1] = broken[1]! ^ 0x01; // the outer length
    const pem = cert.toString('pem');
    for (const input of [broken, `${pem}\ntrailing text`, `${pem}\n${pem}`, der(cert).slice(1)]) {
      expect(await codeOf(parseCertificate(input))).toBe('ERR_CERT_MALFORMED');
      expect(await codeOf(cache.parse(input))).toBe('ERR_CERT_MALFORMED');
    }
    expect(await codeOf(cache.parse(42 as unknown as string))).toBe('ERR_CERT_MALFORMED');
    expect(cache.size).toBe(1);
  });

  it('stays bounded: the least recently used certificate goes first', async () => {
    const certs = await Promise.all([1, 2, 3, 4, 5].map((i) => clientCert(`CN=c${i}.example`)));
    const cache = createCertificateCache({ maxEntries: 3 });
    const first = await cache.parse(der(certs[0]!));
    await cache.parse(der(certs[1]!));
    await cache.parse(der(certs[2]!));
    await cache.parse(der(certs[0]!)); // used again: now the most recent
    await cache.parse(der(certs[3]!)); // evicts certs[1]
    await cache.parse(der(certs[4]!)); // evicts certs[2]
    expect(cache.size).toBe(3);
    expect((await cache.parse(der(certs[0]!))).certificate).toBe(first.certificate);
    expect(cache.size).toBe(3);
  });

  it('stays bounded in bytes too, and by default at DEFAULT_CACHE_ENTRIES', async () => {
    const certs = await Promise.all([1, 2, 3].map((i) => clientCert(`CN=b${i}.example`)));
    // ECDSA signatures vary in DER length by a byte or two: bound by the largest, so any two fit.
    const sizes = certs.map((cert) => der(cert).length);
    const size = Math.max(...sizes);
    const small = createCertificateCache({ maxBytes: 2 * size + 1 });
    for (const cert of certs) await small.parse(der(cert));
    expect(small.size).toBe(2);
    const tiny = createCertificateCache({ maxBytes: Math.min(...sizes) - 1 });
    expect((await tiny.parse(der(certs[0]!))).thumbprint).toBeTruthy(); // parsed, not kept
    expect(tiny.size).toBe(0);

    const many = await Promise.all(
      Array.from({ length: DEFAULT_CACHE_ENTRIES + 4 }, (_, i) => clientCert(`CN=d${i}.example`)),
    );
    const cache = createCertificateCache();
    for (const cert of many) await cache.parse(der(cert));
    expect(cache.size).toBe(DEFAULT_CACHE_ENTRIES);
  });

  it('refuses a bound that is not a positive integer (RangeError)', () => {
    expect(() => createCertificateCache({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => createCertificateCache({ maxBytes: 1.5 })).toThrow(RangeError);
  });

  it('a signature that did not verify is checked again, never remembered as verified', async () => {
    const cert = await clientCert();
    const good = await parseCertificate(der(cert));
    const bad = await parseCertificate(tampered(cert));
    for (let i = 0; i < 2; i++) {
      expect(await codeOf(validatePinned(bad, bad.thumbprint))).toBe('ERR_CERT_SIGNATURE_INVALID');
      expect((await validatePinned(good, good.thumbprint)).trust).toBe('pinned');
    }
  });
});
