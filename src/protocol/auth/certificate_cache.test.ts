import { describe, expect, it, vi } from 'vitest';
import { makeDevice, T0 } from '../../testing/engine_harness.js';
import { codeOf } from '../../testing/code_of.js';
import { createClientIdentity, importClientIdentity } from '../../sdk/index.js';
import { x509 } from '../x509/lib/peculiar.js';
import { caSpec, DAY, makeCert, testKeys } from '../../testing/x509_certs.js';
import { createCertificateCache } from '../x509/index.js';
import { COLLECTIONS, revokeClient, TRUST_ANCHORS_KEY, type ClientRecord } from './index.js';

/** A device whose engine keeps parsed certificates in a cache the test can look into. */
async function cachedDevice() {
  const d = await makeDevice();
  const cache = createCertificateCache();
  d.deps.certificates = cache;
  return { ...d, cache };
}

/** The same PEM with the last byte of the DER (in the signature value) changed. */
function tamperedPem(pem: string): string {
  const der = Uint8Array.from(atob(pem.replace(/-----[^-]+-----|\s/g, '')), (c) => c.charCodeAt(0));
  der[der.length - 1] = der[der.length - 1]! ^ 0x01;
  return `-----BEGIN CERTIFICATE-----\n${btoa(String.fromCharCode(...der))}\n-----END CERTIFICATE-----\n`;
}

describe('the engine with a warm certificate cache still checks every request', () => {
  it('the pinned certificate, kept from earlier requests, is refused once it has expired', async () => {
    const d = await cachedDevice();
    const identity = await createClientIdentity({ name: 'Shop', clock: d.clock, days: 1 });
    const shop = await d.client('Shop', { identity });
    await shop.register();
    const kept = await d.cache.parse(identity.certificatePem);
    d.person.answer = 'remember';
    await shop.requestKeyA(['address']);
    await shop.requestKeyA(['address']); // rule-approved: the engine parsed it twice more
    expect((await d.cache.parse(identity.certificatePem)).certificate).toBe(kept.certificate);

    d.clock.t = T0 + 2 * DAY;
    expect(await codeOf(shop.requestKeyA(['address']))).toBe('ERR_CERT_EXPIRED');
  });

  it('a registration whose stored certificate differs in one byte is parsed anew and refused', async () => {
    const d = await cachedDevice();
    const shop = await d.client('Shop');
    await shop.register();
    d.person.answer = 'remember';
    await shop.requestKeyA(['address']);
    expect(d.cache.size).toBe(1);

    const record = (await d.store.get<ClientRecord>(COLLECTIONS.clients, 'shop'))!;
    await d.store.write([
      {
        op: 'put',
        collection: COLLECTIONS.clients,
        key: 'shop',
        value: { ...record, certificatePem: tamperedPem(record.certificatePem) },
      },
    ]);
    // Not the pinned thumbprint any more, and no anchor: as without a cache.
    expect(await codeOf(shop.requestKeyA(['address']))).toBe('ERR_CERT_UNTRUSTED');
    expect(d.cache.size).toBe(2);
  });

  it('a certificate from a trust anchor is refused once the person removes the anchor', async () => {
    const d = await cachedDevice();
    const rootKeys = await testKeys('P-256', 1);
    const leafKeys = await testKeys('P-256', 0);
    const validity = { notBefore: T0 - DAY, notAfter: T0 + 365 * DAY };
    const root = await makeCert({ ...caSpec('CN=Shop Root, O=Acme', rootKeys), ...validity });
    const leaf = await makeCert({
      subject: 'CN=shop.example',
      keys: leafKeys,
      issuer: { cert: root, keys: rootKeys },
      basicConstraints: { ca: false },
      keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement,
      extendedKeyUsage: [x509.ExtendedKeyUsage.clientAuth],
      ...validity,
    });
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', leafKeys.keys.privateKey));
    const identity = await importClientIdentity(leaf.toString('pem'), pkcs8, 'P-256');
    const setAnchors = (pems: string[]) =>
      d.store.write([
        { op: 'put', collection: COLLECTIONS.settings, key: TRUST_ANCHORS_KEY, value: pems },
      ]);
    await setAnchors([root.toString('pem')]);

    const shop = await d.client('Shop', { identity });
    await shop.register();
    const record = (await d.store.get<ClientRecord>(COLLECTIONS.clients, 'shop'))!;
    expect(record.certificate.trust).toBe('anchor');
    d.person.answer = 'remember';
    await shop.requestKeyA(['address']);
    expect(d.cache.size).toBe(2); // the leaf and the anchor

    await setAnchors([]);
    expect(await codeOf(shop.requestKeyA(['address']))).toBe('ERR_CERT_UNTRUSTED');
  });

  it('a client revoked after its certificate was kept is refused (ERR_CLIENT_UNKNOWN)', async () => {
    const d = await cachedDevice();
    const shop = await d.client('Shop');
    await shop.register();
    d.person.answer = 'remember';
    await shop.requestKeyA(['address']);
    expect(d.cache.size).toBe(1);

    await revokeClient('shop', d.deps);
    expect(await codeOf(shop.requestKeyA(['address']))).toBe('ERR_CLIENT_UNKNOWN');
  });

  it('a kept certificate whose pin no longer matches is refused (ERR_CERT_UNTRUSTED)', async () => {
    const d = await cachedDevice();
    const shop = await d.client('Shop');
    await shop.register();
    d.person.answer = 'remember';
    await shop.requestKeyA(['address']); // its key, its signature check, all kept

    const record = (await d.store.get<ClientRecord>(COLLECTIONS.clients, 'shop'))!;
    const other = await createClientIdentity({ name: 'Other', clock: d.clock });
    const otherPin = (await d.cache.parse(other.certificatePem)).thumbprint;
    await d.store.write([
      {
        op: 'put',
        collection: COLLECTIONS.clients,
        key: 'shop',
        value: { ...record, certificate: { ...record.certificate, thumbprint: otherPin } },
      },
    ]);
    expect(await codeOf(shop.requestKeyA(['address']))).toBe('ERR_CERT_UNTRUSTED');
  });
});

describe('a warm certificate cache saves the work that depends on the bytes alone (issue #13)', () => {
  it('imports no certificate key and checks no certificate signature again', async () => {
    const d = await cachedDevice();
    const shop = await d.client('Shop');
    await shop.register();
    d.person.answer = 'remember';
    await shop.requestKeyA(['address']);

    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    const verify = vi.spyOn(crypto.subtle, 'verify');
    try {
      const kept = d.cache.size;
      await shop.requestKeyA(['address']);
      // The engine verifies the request's signature (ECDSA) and nothing else by this client's
      // key; the client SDK verifies the device's answer (Ed25519).
      const spki = importKey.mock.calls.filter(([format]) => format === 'spki');
      const ecdsa = verify.mock.calls.filter(([alg]) => (alg as Algorithm).name === 'ECDSA');
      expect(ecdsa).toHaveLength(1);
      // The client imports the device's key once per answer at most; the engine never again.
      expect(spki.filter(([, , alg]) => (alg as Algorithm).name !== 'Ed25519')).toHaveLength(0);
      expect(d.cache.size).toBe(kept);
    } finally {
      importKey.mockRestore();
      verify.mockRestore();
    }
  });
});
