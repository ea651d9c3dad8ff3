import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peerIdOf } from '../protocol/tunnel/peer_id.js';
import { listen } from '../server/listen.js';
import { createCourier, createShop, type DemoApp } from './index.js';

/** Nothing listens on the discard port: connections are refused at once. */
const DEAD = 'http://127.0.0.1:9';
const quiet = { info: () => {}, error: () => {} };
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

let root: string;
let shop: DemoApp;
let courier: DemoApp;
let shopUrl: string;
let courierUrl: string;
const closers: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'disco-demo-api-'));
  courier = await createCourier({ relayUrl: DEAD, dataDir: join(root, 'courier'), log: quiet });
  const c = await listen(courier.app, 0);
  courierUrl = c.url;
  shop = await createShop({
    relayUrl: DEAD,
    courierUrl,
    dataDir: join(root, 'shop'),
    log: quiet,
  });
  const s = await listen(shop.app, 0);
  shopUrl = s.url;
  closers.push(
    c.close,
    s.close,
    () => shop.close(),
    () => courier.close(),
  );
});

afterAll(async () => {
  for (const close of closers) await close();
  await rm(root, { recursive: true, force: true });
});

/** What the APIs answer, loosely: an error, a state, a delivery, or the delivery list. */
interface Body {
  [key: string]: unknown;
  error_description: string;
  id: string;
  error: unknown;
  deliveries: Array<{ id: string; state: string; status: string }>;
}

async function call(url: string, init: RequestInit & { json?: unknown } = {}) {
  const { json, ...rest } = init;
  const res = await fetch(url, {
    ...rest,
    ...(json !== undefined
      ? {
          body: JSON.stringify(json),
          headers: { 'content-type': 'application/json', ...(rest.headers ?? {}) },
        }
      : {}),
  });
  const text = await res.text();
  let body: Body = text as unknown as Body;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body };
}

function expectError(r: { status: number; body: Body }, status: number, code: string) {
  expect(r.status).toBe(status);
  expect(r.body).toMatchObject({ code, error: expect.any(String) });
  expect(typeof r.body.error_description).toBe('string');
  expect(r.body.error_description.length).toBeGreaterThan(5);
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function fakeKeyB(claims: Record<string, unknown>, typ = 'disco-key-b+jwt') {
  return `${b64({ alg: 'EdDSA', typ })}.${b64(claims)}.${'A'.repeat(86)}`;
}

describe('shop API', () => {
  it('serves the page with the strict CSP and answers the state without making a session', async () => {
    const page = await call(`${shopUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CSP);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.body).toContain('data-testid="pairing-uid"');
    const js = await fetch(`${shopUrl}/shop.js`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);

    const state = await call(`${shopUrl}/api/state`);
    expect(state.status).toBe(200);
    expect(state.headers.get('set-cookie')).toBeNull();
    expect(state.headers.get('cache-control')).toBe('no-store');
    expect(state.body).toMatchObject({
      step: 'idle',
      waiting: false,
      shop: { name: 'Demo Shop', fingerprint: shop.fingerprint },
      pairing: null,
      error: null,
    });
  });

  it('refuses bad bodies, methods, paths and other origins', async () => {
    expectError(
      await call(`${shopUrl}/api/connect`, {
        method: 'POST',
        body: 'x=1',
        headers: { 'content-type': 'text/plain' },
      }),
      415,
      'ERR_UNSUPPORTED_MEDIA_TYPE',
    );
    expectError(
      await call(`${shopUrl}/api/connect`, {
        method: 'POST',
        body: '{"a":',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'ERR_INVALID_INPUT',
    );
    expectError(
      await call(`${shopUrl}/api/connect`, { method: 'POST', json: [] }),
      400,
      'ERR_INVALID_INPUT',
    );
    const extra = await call(`${shopUrl}/api/connect`, { method: 'POST', json: { uid: 'x' } });
    expectError(extra, 400, 'ERR_INVALID_INPUT');
    expect(extra.body.error_description).toContain('"uid"');
    expectError(
      await call(`${shopUrl}/api/connect`, { method: 'POST', json: { pad: 'x'.repeat(40_000) } }),
      413,
      'ERR_TOO_LARGE',
    );
    expectError(
      await call(`${shopUrl}/api/connect`, {
        method: 'POST',
        json: {},
        headers: { origin: 'http://evil.example' },
      }),
      403,
      'ERR_FORBIDDEN',
    );
    const get = await call(`${shopUrl}/api/connect`);
    expectError(get, 405, 'ERR_METHOD_NOT_ALLOWED');
    expect(get.headers.get('allow')).toBe('POST');
    expectError(await call(`${shopUrl}/api/nothing`), 404, 'ERR_NOT_FOUND');
    expectError(
      await call(`${shopUrl}/api/ship`, { method: 'POST', json: {} }),
      409,
      'ERR_WRONG_STATE',
    );
  });

  it('says so in plain words when the relay cannot be reached, and keeps it in the session', async () => {
    const r = await call(`${shopUrl}/api/connect`, { method: 'POST', json: {} });
    expectError(r, 502, 'ERR_UPSTREAM');
    expect(r.body.error_description).toBe(
      'The Disco relay cannot be reached right now. Please try again in a moment.',
    );
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^disco_demo_shop=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const state = await call(`${shopUrl}/api/state`, {
      headers: { cookie: cookie.split(';')[0]! },
    });
    expect(state.body).toMatchObject({
      step: 'idle',
      error: { code: 'ERR_TRANSPORT_FAILED' },
    });
    // A made-up session id is not adopted.
    const forged = await call(`${shopUrl}/api/state`, {
      headers: { cookie: `disco_demo_shop=${'A'.repeat(43)}` },
    });
    expect(forged.body.error).toBeNull();
  });

  it('holds GET /api/state?since= until the flow moves (issue #16: the page shows a decision at once)', async () => {
    // Without a session there is nothing to wait for: answered at once, version null.
    const none = await call(`${shopUrl}/api/state?since=0`);
    expect(none.body).toMatchObject({ step: 'idle', version: null });

    const first = await call(`${shopUrl}/api/connect`, { method: 'POST', json: {} });
    const cookie = { cookie: first.headers.get('set-cookie')!.split(';')[0]! };
    const now = (await call(`${shopUrl}/api/state`, { headers: cookie })).body;
    expect(typeof now.version).toBe('number');
    const v = now.version as number;
    // Another version than the session's: answered at once.
    const other = await call(`${shopUrl}/api/state?since=${v - 1}`, { headers: cookie });
    expect(other.body.version).toBe(v);

    const held = call(`${shopUrl}/api/state?since=${v}`, { headers: cookie });
    await new Promise((r) => setTimeout(r, 200)); // a broken hold would answer `v` by now
    await call(`${shopUrl}/api/connect`, { method: 'POST', json: {}, headers: cookie });
    const moved = await held;
    expect(moved.status).toBe(200);
    expect(moved.body.version as number).toBeGreaterThan(v);
  });
});

describe('courier API', () => {
  const deviceId = randomBytes(32).toString('base64url');
  const proxyUrl = `${DEAD}/p/${peerIdOf(deviceId)}/`;
  const valid = () => ({
    key_b: fakeKeyB({
      iss: deviceId,
      aud: 'courier',
      cnf: { 'x5t#S256': courier.thumbprint },
      exp: Math.floor(Date.now() / 1000) + 300,
      jti: randomBytes(8).toString('hex'),
    }),
    proxy_url: proxyUrl,
    device_id: deviceId,
  });
  const post = (json: unknown) => call(`${courierUrl}/api/deliveries`, { method: 'POST', json });

  it('says who it is', async () => {
    const r = await call(`${courierUrl}/api/identity`);
    expect(r.body).toEqual({
      client_id: 'courier',
      thumbprint: courier.thumbprint,
      name: 'Demo Courier',
    });
    const page = await call(`${courierUrl}/`);
    expect(page.headers.get('content-security-policy')).toBe(CSP);
    expect(page.body).toContain('data-testid="courier-status"');
    expectError(
      await call(`${courierUrl}/api/identity`, { method: 'POST', json: {} }),
      405,
      'ERR_METHOD_NOT_ALLOWED',
    );
  });

  it('validates every field of a handover', async () => {
    const cases: Array<[unknown, number, string, RegExp?]> = [
      [{}, 400, 'ERR_INVALID_INPUT', /key_b is required/],
      ['text', 400, 'ERR_INVALID_INPUT'],
      [{ ...valid(), extra: 1 }, 400, 'ERR_INVALID_INPUT', /"extra"/],
      [{ ...valid(), key_b: 42 }, 400, 'ERR_INVALID_INPUT'],
      [{ ...valid(), key_b: 'not.a jwt.x' }, 400, 'ERR_INVALID_INPUT'],
      [{ ...valid(), key_b: 'a'.repeat(17_000) }, 400, 'ERR_INVALID_INPUT', /too long/],
      [{ ...valid(), device_id: 'short' }, 400, 'ERR_INVALID_INPUT', /device_id/],
      [{ ...valid(), proxy_url: 'file:///etc/passwd' }, 400, 'ERR_INVALID_INPUT'],
      // Not the relay's tunnel: the courier never fetches a URL a shop made up.
      [
        { ...valid(), proxy_url: `http://169.254.169.254/p/${peerIdOf(deviceId)}/` },
        400,
        'ERR_INVALID_INPUT',
        /relay/,
      ],
      [{ ...valid(), proxy_url: `${DEAD}/p/disco-${'0'.repeat(32)}/` }, 400, 'ERR_INVALID_INPUT'],
      [{ ...valid(), proxy_url: `${proxyUrl}?x=1` }, 400, 'ERR_INVALID_INPUT'],
      [
        { ...valid(), proxy_url: proxyUrl.replace('http://', 'http://u:p@') },
        400,
        'ERR_INVALID_INPUT',
      ],
      [
        { ...valid(), key_b: fakeKeyB({ iss: deviceId }, 'JWT') },
        400,
        'ERR_INVALID_INPUT',
        /key B/,
      ],
      [
        { ...valid(), key_b: fakeKeyB({ iss: 'another', aud: 'courier' }) },
        400,
        'ERR_INVALID_INPUT',
        /another device/,
      ],
      [
        { ...valid(), key_b: fakeKeyB({ iss: deviceId, aud: 'someone-else' }) },
        400,
        'ERR_AUDIENCE_MISMATCH',
      ],
      [
        {
          ...valid(),
          key_b: fakeKeyB({ iss: deviceId, aud: 'courier', cnf: { 'x5t#S256': 'x' } }),
        },
        400,
        'ERR_AUDIENCE_MISMATCH',
        /certificate/,
      ],
      [
        {
          ...valid(),
          key_b: fakeKeyB({
            iss: deviceId,
            aud: 'courier',
            cnf: { 'x5t#S256': courier.thumbprint },
            exp: Math.floor(Date.now() / 1000) - 1,
          }),
        },
        400,
        'ERR_JWT_EXPIRED',
      ],
    ];
    for (const [body, status, code, message] of cases) {
      const r = await post(body);
      expectError(r, status, code);
      if (message) expect(r.body.error_description).toMatch(message);
    }
    expect((await call(`${courierUrl}/api/deliveries`)).body.deliveries).toEqual([]);
  });

  it('takes a handover once, and reports the device it cannot reach', async () => {
    const body = valid();
    const first = await post(body);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ id: expect.stringMatching(/^[0-9A-Z]{8}$/), label: null });
    expectError(await post(body), 409, 'ERR_KEY_B_USED');

    let delivery: Body['deliveries'][number] | undefined;
    for (let i = 0; i < 50; i++) {
      const list = await call(`${courierUrl}/api/deliveries`);
      delivery = list.body.deliveries.find((d) => d.id === first.body.id);
      if (delivery?.state === 'failed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(delivery).toMatchObject({
      state: 'failed',
      error: { code: 'ERR_TRANSPORT_FAILED' },
      label: null,
    });
    expect(delivery?.status).toMatch(/cannot be reached/);
  });
});

describe('pages', () => {
  it('link the stylesheet they share, which each serves from its own origin', async () => {
    const common = await readFile(new URL('./common/public/common.css', import.meta.url), 'utf8');
    for (const [url, own] of [
      [shopUrl, 'shop.css'],
      [courierUrl, 'courier.css'],
    ] as const) {
      const page = await call(`${url}/`);
      expect(page.body).toMatch(
        new RegExp(`href="/common\\.css" />\\s*<link rel="stylesheet" href="/${own}"`),
      );
      const css = await fetch(`${url}/common.css`);
      expect(css.status).toBe(200);
      expect(css.headers.get('content-type')).toMatch(/^text\/css/);
      expect(css.headers.get('content-security-policy')).toBe(CSP);
      expect(await css.text()).toBe(common);
      expect((await fetch(`${url}/${own}`)).status).toBe(200);
    }
  });
});
