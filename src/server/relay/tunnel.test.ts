import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscoError } from '../../protocol/errors/index.js';
import { TUNNEL_MAX_BODY_BYTES } from '../../protocol/tunnel/index.js';
import { devicePath, tamperBody } from './tunnel_request.js';
import { startTestRelay, unreachable } from './testing.js';

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;
let relay: TestRelay;
const PEER = `disco-${'ab'.repeat(16)}`;

beforeAll(async () => {
  relay = await startTestRelay({ tunnelTimeoutMs: 300 });
});
afterAll(() => relay.close());

const code = async (res: Response) => [res.status, ((await res.json()) as { code: string }).code];

/** A request with a path exactly as written (fetch would normalize `..`). */
function rawGet(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(relay.base);
    request({ host: url.hostname, port: url.port, path }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

describe('tunnel /p/<peer id>/…', () => {
  it('forwards /disco/ requests with only content-type and accept, and answers the device', async () => {
    relay.link.requests.length = 0;
    const res = await fetch(`${relay.base}/p/${PEER}/disco/auth/register?x=1`, {
      method: 'POST',
      headers: {
        'content-type': 'application/jose',
        accept: 'application/jose',
        cookie: 'a=b',
        authorization: 'Bearer secret',
        origin: 'https://shop.example',
      },
      body: 'eyJhbGciOi.x.y.z.w',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ bytes: 18 });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    const [{ peerId, req }] = relay.link.requests as [(typeof relay.link.requests)[0]];
    expect(peerId).toBe(PEER);
    expect(req).toEqual({
      method: 'POST',
      path: '/disco/auth/register?x=1',
      headers: { 'content-type': 'application/jose', accept: 'application/jose' },
      body: new TextEncoder().encode('eyJhbGciOi.x.y.z.w'),
    });
  });

  it('forwards nothing outside /disco/, for other ids, or with path tricks', async () => {
    relay.link.requests.length = 0;
    for (const path of [
      `/p/${PEER}/`,
      `/p/${PEER}/index.html`,
      `/p/${PEER}/disco`,
      `/p/${PEER}/disco/../sw.js`,
      `/p/${PEER}/disco/%2e%2e/sw.js`,
      `/p/${PEER}/disco/.%2E/x`,
      `/p/${PEER}/disco\\..\\x`,
      `/p/${PEER}/disco/./x`,
      `/p/disco-xyz/disco/data`,
      `/p/relay-peer/disco/data`,
      `/p/${PEER.replace('a', '%61')}/disco/data`,
    ])
      expect([path, await rawGet(path)]).toEqual([path, 404]);
    expect(relay.link.requests).toHaveLength(0);
    const sw = await fetch(`${relay.base}/p/${PEER}/disco/sw.js`, {
      headers: { 'service-worker': 'script' },
    });
    expect(sw.status).toBe(404);
    const head = await fetch(`${relay.base}/p/${PEER}/disco/data`, { method: 'HEAD' });
    expect(head.status).toBe(405);
  });

  it('answers CORS preflights itself', async () => {
    const res = await fetch(`${relay.base}/p/${PEER}/disco/data`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('answers 504 ERR_DEVICE_UNREACHABLE when the device is away or silent', async () => {
    relay.link.answer = unreachable;
    const away = await fetch(`${relay.base}/p/${PEER}/disco/data`, { method: 'POST', body: 'x' });
    expect(await code(away)).toEqual([504, 'ERR_DEVICE_UNREACHABLE']);
    // the log says why (the link's own words), for whoever runs the relay
    const logged = relay.logger.entries.filter((e) => e.event === 'tunnel.request').at(-1);
    expect(logged?.fields).toMatchObject({
      outcome: 'ERR_DEVICE_UNREACHABLE',
      reason: 'The device is not connected.',
    });
    expect((await fetch(`${relay.base}/p/${PEER}/disco/data`)).headers.get('content-type')).toMatch(
      /json/,
    );
    relay.link.answer = () => new Promise(() => undefined);
    const silent = await fetch(`${relay.base}/p/${PEER}/disco/data`);
    expect(await code(silent)).toEqual([504, 'ERR_DEVICE_UNREACHABLE']);
    relay.link.answer = () => Promise.reject(new DiscoError('ERR_INTERNAL', 'secret detail'));
    const broken = await fetch(`${relay.base}/p/${PEER}/disco/data`);
    const body = (await broken.json()) as { error_description: string };
    expect([broken.status, body.error_description]).toEqual([500, 'internal error']);
    const internal = relay.logger.entries.filter((e) => e.event === 'tunnel.request').at(-1);
    expect(JSON.stringify(internal)).not.toContain('secret detail');
    relay.link.answer = new (await import('./testing.js')).FakeDeviceLink().answer;
  });

  it('refuses bodies over the limit with 413 and passes the limit itself', async () => {
    const over = await fetch(`${relay.base}/p/${PEER}/disco/data`, {
      method: 'POST',
      body: new Uint8Array(TUNNEL_MAX_BODY_BYTES + 1),
    });
    expect(await code(over)).toEqual([413, 'ERR_TOO_LARGE']);
    const at = await fetch(`${relay.base}/p/${PEER}/disco/data`, {
      method: 'POST',
      body: new Uint8Array(TUNNEL_MAX_BODY_BYTES),
    });
    expect(await at.json()).toEqual({ bytes: TUNNEL_MAX_BODY_BYTES });
  });
});

describe('tamperForTests', () => {
  it('changes exactly one byte, the middle one, of every forwarded body', async () => {
    const tampering = await startTestRelay({ tamperForTests: true });
    try {
      expect(tampering.logger.entries.some((e) => e.event === 'relay.tamper_for_tests')).toBe(true);
      const sent = new TextEncoder().encode('eyJhbGciOiJFQ0RILUVTK0EyNTZLVyJ9.abc.def.ghi.jkl');
      await fetch(`${tampering.base}/p/${PEER}/disco/data`, { method: 'POST', body: sent });
      const got = tampering.link.requests[0]!.req.body!;
      const changed = [...sent.keys()].filter((i) => sent[i] !== got[i]);
      expect(changed).toEqual([Math.floor(sent.length / 2)]);
    } finally {
      await tampering.close();
    }
  });

  it('keeps base64url characters in the alphabet and leaves empty bodies alone', () => {
    expect(new TextDecoder().decode(tamperBody(new TextEncoder().encode('AAA')))).toBe('ABA');
    expect(tamperBody(new Uint8Array([0, 0x2e, 0]))).toEqual(new Uint8Array([0, 0x2f, 0]));
    expect(tamperBody(new Uint8Array())).toEqual(new Uint8Array());
  });
});

describe('devicePath', () => {
  it('keeps canonical /disco/ paths with their query', () => {
    expect(devicePath('/disco/auth/authorize?a=..%2F')).toBe('/disco/auth/authorize?a=..%2F');
    expect(devicePath('/disco/x%20y')).toBe('/disco/x%20y');
    expect(devicePath('/disco/a b')).toBeNull();
    expect(devicePath('/disco/a/..')).toBeNull();
  });
});
