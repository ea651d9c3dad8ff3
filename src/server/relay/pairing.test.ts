import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJson } from '../../protocol/jose/index.js';
import { caSpec, DAY, der, makeCert, testKeys } from '../../protocol/x509/testing.js';
import { b64u } from '../../protocol/encoding/index.js';
import { MemoryPairingStore } from './memory_pairing_store.js';
import { json, makeDevice, makeRp, startTestRelay } from './testing.js';

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;
let relay: TestRelay;
let rp: Awaited<ReturnType<typeof makeRp>>;

beforeAll(async () => {
  relay = await startTestRelay();
  rp = await makeRp(relay.clock.now());
});
afterAll(() => relay.close());

const newUid = async (header = rp.header, query = '') => {
  const res = await fetch(`${relay.base}/uid${query}`, {
    headers: { 'disco-client-certificate': header },
  });
  return { res, body: (await res.json()) as Record<string, unknown> };
};
const pair = (body: unknown) => fetch(`${relay.base}/uid`, json(body));

describe('GET /uid', () => {
  it('answers 503 ERR_RELAY_BUSY when no uid can be had (every candidate taken)', async () => {
    class FullStore extends MemoryPairingStore {
      override create(): Promise<boolean> {
        return Promise.resolve(false);
      }
    }
    const full = await startTestRelay({ store: new FullStore({ clock: relay.clock }) });
    try {
      const res = await fetch(`${full.base}/uid`, {
        headers: { 'disco-client-certificate': rp.header },
      });
      const body = (await res.json()) as { code: string; error_description: string };
      expect([res.status, body.code]).toEqual([503, 'ERR_RELAY_BUSY']);
      expect(body.error_description).toMatch(/try again/);
    } finally {
      await full.close();
    }
  });

  it('answers a one-time uid, a sealed challenge, a wait token and the QR payload', async () => {
    const { res, body } = await newUid();
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(body.uid).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(body.expires_in).toBe(300);
    expect(body.wait_url).toBe(`${relay.publicUrl}/uid/${String(body.uid)}/wait`);
    expect(body.wait_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const x5t = b64u.encode(
      new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(rp.der))),
    );
    expect(body.qr).toBe(
      `web+disco:pair?uid=${String(body.uid)}&x5t=${x5t}&relay=${encodeURIComponent(relay.publicUrl)}`,
    );
    expect(String(body.challenge).split('.')).toHaveLength(5);
  });

  it('accepts the certificate as base64 DER and as one-line PEM', async () => {
    expect((await newUid(rp.base64)).res.status).toBe(200);
    expect((await newUid(rp.pemOneLine)).res.status).toBe(200);
    expect((await newUid(encodeURIComponent(rp.identity.certificatePem))).res.status).toBe(200);
  });

  it('refuses a missing, garbage, expired or CA certificate with the typed error', async () => {
    const now = relay.clock.now();
    const old = await makeRp(now - 400 * DAY);
    const caKeys = await testKeys('P-256', 1);
    const ca = await makeCert({
      ...caSpec('CN=Some CA', caKeys),
      notBefore: now - DAY,
      notAfter: now + DAY,
    });
    const cases: [string | undefined, number, string][] = [
      [undefined, 400, 'ERR_INVALID_INPUT'],
      ['not a certificate!', 400, 'ERR_CERT_MALFORMED'],
      ['AAAA', 400, 'ERR_CERT_MALFORMED'],
      [old.header, 400, 'ERR_CERT_EXPIRED'],
      [b64u.encode(der(ca)), 400, 'ERR_CERT_BASIC_CONSTRAINTS'],
    ];
    for (const [header, status, code] of cases) {
      const res = await fetch(`${relay.base}/uid`, {
        headers: header === undefined ? {} : { 'disco-client-certificate': header },
      });
      expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([status, code]);
    }
  });
});

describe('POST /uid', () => {
  it('pairs once: the device gets the certificate and the challenge the RP can decrypt', async () => {
    const { body } = await newUid();
    const device = await makeDevice();
    const res = await pair(device.pairBody(String(body.uid), relay.publicUrl));
    expect(res.status).toBe(200);
    const answer = (await res.json()) as {
      certificate: string;
      challenge: string;
      callback: boolean;
    };
    expect(answer.certificate.replace(/\s/g, '')).toBe(
      rp.identity.certificatePem.replace(/\s/g, ''),
    );
    expect(answer.callback).toBe(false);
    const { value } = await openJson(String(body.challenge), rp.identity.decryptKey);
    expect(value).toEqual({ challenge: answer.challenge });
    expect(b64u.decode(answer.challenge)).toHaveLength(32);

    const again = await pair((await makeDevice()).pairBody(String(body.uid), relay.publicUrl));
    expect(again.status).toBe(409);
    expect(((await again.json()) as { code: string }).code).toBe('ERR_PAIRING_USED');
  });

  it('reads the uid as people type it (lower case, no hyphen, O for 0)', async () => {
    const { body } = await newUid();
    const typed = String(body.uid).replace('-', '').toLowerCase().replace(/0/g, 'o');
    const res = await pair((await makeDevice()).pairBody(typed, relay.publicUrl));
    expect(res.status).toBe(200);
  });

  it('refuses unknown and expired uids alike', async () => {
    const device = await makeDevice();
    const unknown = await pair(device.pairBody('ZZZZ-ZZZZ', relay.publicUrl));
    expect([unknown.status, ((await unknown.json()) as { code: string }).code]).toEqual([
      404,
      'ERR_PAIRING_UNKNOWN',
    ]);
    const { body } = await newUid();
    relay.clock.advance(301_000);
    const late = await pair(device.pairBody(String(body.uid), relay.publicUrl));
    expect([late.status, ((await late.json()) as { code: string }).code]).toEqual([
      404,
      'ERR_PAIRING_UNKNOWN',
    ]);
  });

  it('refuses malformed bodies without spending the uid', async () => {
    const { body } = await newUid();
    const uid = String(body.uid);
    const device = await makeDevice();
    const other = await makeDevice();
    const good = device.pairBody(uid, relay.publicUrl);
    const bad: unknown[] = [
      [],
      'uid',
      { ...good, uid: 'ABCD-EFG' },
      { ...good, uid: 'ABCD-EFGU' },
      { ...good, device_id: other.deviceId },
      { ...good, peer_id: other.peerId },
      { ...good, peer_id: 'disco-XYZ' },
      { ...good, public_key: { ...good.public_key, d: good.public_key.x } },
      { ...good, public_key: { kty: 'EC', crv: 'P-256', x: good.public_key.x } },
      { ...good, proxy_url: `https://evil.example/p/${device.peerId}/` },
      { ...good, proxy_url: undefined },
    ];
    for (const body of bad) {
      const res = await pair(body);
      expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([
        400,
        'ERR_INVALID_INPUT',
      ]);
    }
    const broken = await fetch(`${relay.base}/uid`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"uid":',
    });
    expect(((await broken.json()) as { code: string }).code).toBe('ERR_INVALID_INPUT');
    const tooBig = await pair({ ...good, pad: 'x'.repeat(10_000) });
    expect([tooBig.status, ((await tooBig.json()) as { code: string }).code]).toEqual([
      413,
      'ERR_TOO_LARGE',
    ]);
    expect((await pair(good)).status).toBe(200);
  });

  it('logs pairings without uids, challenges or tokens', () => {
    const text = JSON.stringify(relay.logger.entries);
    expect(relay.logger.entries.some((e) => e.event === 'pairing.paired')).toBe(true);
    expect(text).not.toMatch(/"uid"|challenge"|token"/);
  });
});
