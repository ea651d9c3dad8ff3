import { calculateJwkThumbprint, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { isDiscoError } from '../protocol/errors/index.js';
import {
  derToBase64,
  pairingTranscript,
  signPairingTranscript,
} from '../protocol/nodetrust/device_certificate.js';
import { peerIdOfEd25519, peerLabel } from '../protocol/nodetrust/index.js';
import { b64u } from '../protocol/encoding/index.js';
import { x509 } from '../protocol/x509/lib/peculiar.js';
import { caSpec, DAY, makeCert, NOW, testKeys, type TestKeys } from '../testing/x509_certs.js';
import { checkDeviceCertificate, type CertifiedFields } from './device_certificate.js';

// A nodetrust-like CA: root → intermediate → leaf for `p<peer id>.<zone>` with a P-256 key and
// serverAuth, as ACME CAs issue (pebble's chains have this shape).
const ZONE = 'nodetrust.disco.test';
const UID = '7K3M-Q9XD';
let root: x509.X509Certificate;
let otherRoot: x509.X509Certificate;
let impostorRoot: x509.X509Certificate;
let intermediate: x509.X509Certificate;
let interKeys: TestKeys;
let leafKeys: TestKeys;
let identity: JWK;
let deviceId: string;

async function leafFor(name: string, notAfter = NOW + 60 * DAY, keys = leafKeys) {
  return makeCert({
    subject: `CN=${name}`,
    keys,
    issuer: { cert: intermediate, keys: interKeys },
    notAfter,
    keyUsage: x509.KeyUsageFlags.digitalSignature,
    extendedKeyUsage: ['1.3.6.1.5.5.7.3.1'],
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: name }])],
  });
}

function nameOf(jwk: JWK): string {
  return `${peerLabel(peerIdOfEd25519(b64u.decode(jwk.x!)))}.${ZONE}`;
}

async function presented(
  leaf: x509.X509Certificate,
  signWith: CryptoKey = leafKeys.keys.privateKey,
  uid = UID,
): Promise<CertifiedFields> {
  return {
    device_id: deviceId,
    public_key: identity,
    certificate_chain: [leaf, intermediate].map((c) => derToBase64(new Uint8Array(c.rawData))),
    certificate_signature: await signPairingTranscript(signWith, uid, deviceId),
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'none';
  } catch (err) {
    return isDiscoError(err) ? err.code : `not a DiscoError: ${String(err)}`;
  }
}

beforeAll(async () => {
  const rootKeys = await testKeys('P-256', 11);
  root = await makeCert(caSpec('CN=Test Nodetrust Root', rootKeys));
  otherRoot = await makeCert(caSpec('CN=Another Root', await testKeys('P-256', 12)));
  impostorRoot = await makeCert(caSpec('CN=Test Nodetrust Root', await testKeys('P-256', 12)));
  interKeys = await testKeys('P-256', 13);
  intermediate = await makeCert({
    ...caSpec('CN=Test Nodetrust Intermediate', interKeys, 0),
    issuer: { cert: root, keys: rootKeys },
  });
  leafKeys = await testKeys('P-256', 14);
  const ed = await crypto.subtle.generateKey('Ed25519', true, ['sign', 'verify']);
  identity = await crypto.subtle.exportKey('jwk', ed.publicKey);
  deviceId = await calculateJwkThumbprint(identity, 'sha256');
});

const policy = () => ({ trustAnchors: [root.toString('pem')] });

describe('checkDeviceCertificate (the company side of a certified pairing)', () => {
  it('verifies chain, name and transcript signature: name, issuer, expiry', async () => {
    const leaf = await leafFor(nameOf(identity));
    const got = await checkDeviceCertificate(await presented(leaf), UID, policy(), NOW);
    expect(got).toEqual({
      name: nameOf(identity),
      issuer: 'Test Nodetrust Intermediate',
      notAfter: new Date(NOW + 60 * DAY),
    });
    // zones, when configured, are checked too
    const zoned = { ...policy(), deviceCertificateZones: [ZONE] };
    expect((await checkDeviceCertificate(await presented(leaf), UID, zoned, NOW))?.name).toBe(
      nameOf(identity),
    );
    const elsewhere = { ...policy(), deviceCertificateZones: ['other.example'] };
    expect(await codeOf(checkDeviceCertificate(await presented(leaf), UID, elsewhere, NOW))).toBe(
      'ERR_DEVICE_CERT_NAME',
    );
  });

  it('refuses a certificate for another peer id (wrong name)', async () => {
    const other = await crypto.subtle.generateKey('Ed25519', true, ['sign']);
    const otherJwk = (await crypto.subtle.exportKey('jwk', other.publicKey)) as JWK;
    const leaf = await leafFor(nameOf(otherJwk));
    expect(await codeOf(checkDeviceCertificate(await presented(leaf), UID, policy(), NOW))).toBe(
      'ERR_DEVICE_CERT_NAME',
    );
  });

  it('refuses an expired certificate', async () => {
    const leaf = await leafFor(nameOf(identity), NOW - DAY);
    expect(await codeOf(checkDeviceCertificate(await presented(leaf), UID, policy(), NOW))).toBe(
      'ERR_CERT_EXPIRED',
    );
  });

  it('refuses a bad signature: another key, another uid, a flipped byte', async () => {
    const leaf = await leafFor(nameOf(identity));
    const stranger = (await testKeys('P-256', 15)).keys.privateKey;
    expect(
      await codeOf(checkDeviceCertificate(await presented(leaf, stranger), UID, policy(), NOW)),
    ).toBe('ERR_DEVICE_CERT_SIGNATURE');
    // a signature made for another pairing is not accepted for this one (replay)
    const replayed = await presented(leaf, leafKeys.keys.privateKey, 'AAAA-BBBB');
    expect(await codeOf(checkDeviceCertificate(replayed, UID, policy(), NOW))).toBe(
      'ERR_DEVICE_CERT_SIGNATURE',
    );
    const good = await presented(leaf);
    const sig = b64u.decode(good.certificate_signature as string);
    sig[10] = (sig[10] ?? 0) ^ 1;
    const flipped = { ...good, certificate_signature: b64u.encode(sig) };
    expect(await codeOf(checkDeviceCertificate(flipped, UID, policy(), NOW))).toBe(
      'ERR_DEVICE_CERT_SIGNATURE',
    );
    // the device id is in the transcript: the same signature for another device id fails
    expect(pairingTranscript(UID, deviceId)).not.toEqual(pairingTranscript(UID, `${deviceId}x`));
    expect(
      await codeOf(
        checkDeviceCertificate({ ...good, device_id: 'x'.repeat(43) }, UID, policy(), NOW),
      ),
    ).toBe('ERR_DEVICE_CERT_SIGNATURE');
  });

  it('refuses a chain to an untrusted root, and one whose anchor only shares the name', async () => {
    const leaf = await leafFor(nameOf(identity));
    const untrusted = { trustAnchors: [otherRoot.toString('pem')] };
    expect(await codeOf(checkDeviceCertificate(await presented(leaf), UID, untrusted, NOW))).toBe(
      'ERR_CERT_UNTRUSTED',
    );
    const impostor = { trustAnchors: [impostorRoot.toString('pem')] };
    expect(await codeOf(checkDeviceCertificate(await presented(leaf), UID, impostor, NOW))).toBe(
      'ERR_CERT_SIGNATURE_INVALID',
    );
  });

  it('refuses malformed presentations before parsing', async () => {
    const good = await presented(await leafFor(nameOf(identity)));
    const cases: CertifiedFields[] = [
      { ...good, certificate_chain: [] },
      { ...good, certificate_chain: 'MIIB' },
      {
        ...good,
        certificate_chain: Array(5)
          .fill(good.certificate_chain as string[])
          .flat(),
      },
      { ...good, certificate_chain: ['not base64!'] },
      { ...good, certificate_chain: ['A'.repeat(5000)] },
      { ...good, certificate_chain: ['AAAA'] },
      { ...good, certificate_signature: 'short' },
      { ...good, certificate_signature: undefined },
    ];
    for (const fields of cases)
      expect(await codeOf(checkDeviceCertificate(fields, UID, policy(), NOW))).toBe(
        'ERR_DEVICE_CERT_MALFORMED',
      );
  });

  it('requireDeviceCertificate refuses an uncertified device; otherwise it is null', async () => {
    const bare: CertifiedFields = { device_id: deviceId, public_key: identity };
    expect(await checkDeviceCertificate(bare, UID, policy(), NOW)).toBeNull();
    expect(
      await codeOf(
        checkDeviceCertificate(bare, UID, { ...policy(), requireDeviceCertificate: true }, NOW),
      ),
    ).toBe('ERR_DEVICE_CERT_REQUIRED');
    // no anchors configured: nothing can be checked, so nothing is claimed
    const good = await presented(await leafFor(nameOf(identity)));
    expect(await checkDeviceCertificate(good, UID, {}, NOW)).toBeNull();
    expect(
      await codeOf(checkDeviceCertificate(good, UID, { requireDeviceCertificate: true }, NOW)),
    ).toBe('ERR_DEVICE_CERT_REQUIRED');
  });
});
