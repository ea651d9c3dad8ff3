import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../protocol/errors/index.js';
import { json, makeDevice, makeRp, startTestRelay } from './testing.js';

// Regression tests for the relay holes of issues #11 ("garbage gets a 500") and #12 point 13,
// each named after the attack. Everything runs against a real relay on 127.0.0.1.

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;
let relay: TestRelay;

beforeAll(async () => {
  relay = await startTestRelay({
    // 'intranet.corp' exists (a private address), 'nothing.corp' does not
    resolveHost: (host) =>
      host === 'intranet.corp'
        ? Promise.resolve(['10.1.2.3'])
        : Promise.reject(
            Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }),
          ),
  });
});
afterAll(() => relay.close());

const body = async (res: Response) =>
  (await res.json()) as { error: string; error_description: string; code: string };

/** A GET with the path exactly as written (fetch would re-encode `%ZZ`). */
function rawGet(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; text: string }>(
    (resolve, reject) => {
      const url = new URL(relay.base);
      request({ host: url.hostname, port: url.port, path, headers }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      })
        .on('error', reject)
        .end();
    },
  );
}

describe('garbage in the RP certificate header gets a typed 4xx, never a 500 (issue #11)', () => {
  const odd = [
    'hello',
    'a',
    'ab',
    'abc',
    'A',
    '=',
    '==',
    '-',
    '_',
    '+',
    '/',
    '%',
    '%00',
    '%E0%A4%A',
    '%ZZ',
    '-----BEGIN',
    '-----BEGIN CERTIFICATE-----',
    '-----BEGIN CERTIFICATE----- hello -----END CERTIFICATE-----',
    'AAAA',
    'AAAAAAAA',
    'MA',
    'MAA',
    'MIIB',
    'MAMCAQA',
    'x'.repeat(17_000), // (the test name shows it cut)
    ' , ',
    'null',
    '{}',
  ];
  it.each(odd.map((v) => [v.slice(0, 40), v]))(
    'GET /uid with disco-client-certificate %j',
    async (_name, value) => {
      const res = await fetch(`${relay.base}/uid`, {
        headers: { 'disco-client-certificate': value },
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const { code } = await body(res);
      expect(Object.keys(ERROR_CODES)).toContain(code);
      expect(['ERR_CERT_MALFORMED', 'ERR_INVALID_INPUT', 'ERR_TOO_LARGE']).toContain(code);
    },
  );
});

describe('bad percent-encoding in a path answers 400, typed (issue #12.13)', () => {
  it.each(['/uid/%ZZ/wait', '/uid/%E0%A4%A/wait', '/uid/%/wait'])('GET %s', async (path) => {
    const res = await rawGet(path, { authorization: 'Bearer x' });
    expect(res.status).toBe(400);
    expect((JSON.parse(res.text) as { code: string }).code).toBe('ERR_INVALID_INPUT');
  });
});

describe('/peerjs reflects no Origin and says nothing about its server (issue #12.13)', () => {
  it.each(['/peerjs', '/peerjs/', '/peerjs/peerjs/id', '/peerjs/peerjs/peers'])(
    'GET %s from another origin',
    async (path) => {
      const res = await rawGet(path, { origin: 'https://evil.example' });
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
    },
  );
  it('preflights to /peerjs get no CORS grant either', async () => {
    const res = await fetch(`${relay.base}/peerjs/peerjs/id`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('every JSON answer says nosniff (issue #12.13)', () => {
  it.each(['/healthz', '/ice-servers', '/uid', '/nothing-here', '/p/x/y'])(
    'GET %s',
    async (path) => {
      const res = await fetch(`${relay.base}${path}`);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-powered-by')).toBeNull();
    },
  );
});

describe('callback errors do not tell whether an internal host name exists (issue #12.13)', () => {
  it('answers an existing private name and a missing name alike', async () => {
    const rp = await makeRp(relay.clock.now());
    const ask = async (callback: string) =>
      body(
        await fetch(`${relay.base}/uid?callback=${encodeURIComponent(callback)}`, {
          headers: { 'disco-client-certificate': rp.header },
        }),
      );
    const existing = await ask('https://intranet.corp/hook');
    const missing = await ask('https://nothing.corp/hook');
    expect(existing.code).toBe('ERR_CALLBACK_REFUSED');
    expect(missing).toEqual(existing);
    expect(JSON.stringify(existing)).not.toContain('intranet.corp');
  });
});

describe('malformed POST /uid bodies do not spend the relay-wide guessing budget (issue #12.13)', () => {
  it('thirty malformed bodies from many "addresses" leave pairing open for everyone', async () => {
    const other = await startTestRelay({
      rateLimits: { pairPerAddress: 1000, createPerAddress: 1000, pairFailuresPerRelay: 3 },
    });
    try {
      const post = (init: RequestInit) => fetch(`${other.base}/uid`, { method: 'POST', ...init });
      const malformed: RequestInit[] = [
        { body: '{not json', headers: { 'content-type': 'application/json' } },
        { body: '[]', headers: { 'content-type': 'application/json' } },
        { body: '"uid"', headers: { 'content-type': 'application/json' } },
        { body: JSON.stringify({ uid: 'nope' }), headers: { 'content-type': 'application/json' } },
        { body: 'x'.repeat(9000), headers: { 'content-type': 'application/json' } },
      ];
      for (let i = 0; i < 30; i++) {
        const res = await post(malformed[i % malformed.length]!);
        expect([400, 413]).toContain(res.status);
      }
      const rp = await makeRp(other.clock.now());
      const { uid } = (await (
        await fetch(`${other.base}/uid`, { headers: { 'disco-client-certificate': rp.header } })
      ).json()) as { uid: string };
      const device = await makeDevice();
      expect(
        (await fetch(`${other.base}/uid`, json(device.pairBody(uid, other.publicUrl)))).status,
      ).toBe(200);
      // well-formed guesses of unknown uids still spend it
      const guesses: number[] = [];
      for (let i = 0; i < 4; i++)
        guesses.push(
          (await fetch(`${other.base}/uid`, json(device.pairBody(`ZZZZ-ZZZ${i}`, other.publicUrl))))
            .status,
        );
      expect(guesses).toEqual([404, 404, 404, 429]);
    } finally {
      await other.close();
    }
  });
});
