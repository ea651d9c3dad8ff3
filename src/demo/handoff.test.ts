import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadContext, revokeClient } from '../protocol/auth/index.js';
import { listen } from '../server/listen.js';
import { fingerprintOf } from '../sdk/index.js';
import { createCourier, createShop, type DeliveryView, type ShopState } from './index.js';
import { fakeWorld, type FakeWorld } from './testing/fake_world.js';

const quiet = { info: () => {}, error: () => {} };
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** A relay with a device behind it, and the two demos using it (each on a port of its own). */
async function setup() {
  const world = await fakeWorld();
  const root = await mkdtemp(join(tmpdir(), 'disco-demo-handoff-'));
  cleanup.push(() => rm(root, { recursive: true, force: true }), world.close);
  const common = { relayUrl: world.relayUrl, sdk: world.sdk, log: quiet };
  const courier = await createCourier({ ...common, dataDir: join(root, 'courier') });
  const courierServer = await listen(courier.app, 0);
  const shop = await createShop({
    ...common,
    courierUrl: courierServer.url,
    dataDir: join(root, 'shop'),
  });
  const shopServer = await listen(shop.app, 0);
  cleanup.push(
    courierServer.close,
    shopServer.close,
    () => shop.close(),
    () => courier.close(),
  );
  return { world, shop, courier, shopUrl: shopServer.url, courierUrl: courierServer.url };
}

/** One browser on the shop's page: keeps the session cookie, calls the JSON API. */
function browser(base: string) {
  let cookie = '';
  return async (path: string, method: 'GET' | 'POST' = 'GET') => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      },
      ...(method === 'POST' ? { body: '{}' } : {}),
    });
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0]!;
    return { status: res.status, body: (await res.json()) as ShopState };
  };
}

async function until<T>(get: () => Promise<T>, done: (v: T) => boolean, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (done(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const settled = (r: { body: ShopState }) =>
  r.body.error !== null || ['idle', 'connected', 'shipped'].includes(r.body.step);

async function connect(world: FakeWorld, page: ReturnType<typeof browser>) {
  const started = await page('/api/connect', 'POST');
  expect(started.status).toBe(202);
  expect(started.body.step).toBe('pairing');
  await world.pair(started.body.pairing!.uid);
  return until(() => page('/api/state'), settled);
}

async function deliveryOf(courierUrl: string, id: string): Promise<DeliveryView | undefined> {
  return until(
    async () => {
      const res = await fetch(`${courierUrl}/api/deliveries`);
      const list = (await res.json()) as { deliveries: DeliveryView[] };
      return list.deliveries.find((d) => d.id === id);
    },
    (d) => d !== undefined && ['ready', 'failed'].includes(d.state),
  );
}

const asked = (world: FakeWorld) =>
  world.person.seen.map((p) => `${p.kind}:${p.client.clientId}${p.client.isTrusted ? '*' : ''}`);

describe('shop → courier handoff, with a fake device behind a fake relay', () => {
  it('pairs, ships and prints the label; a second order reuses both registrations', async () => {
    const { world, shop, courier, shopUrl, courierUrl } = await setup();
    const page = browser(shopUrl);

    const started = await page('/api/connect', 'POST');
    expect(started.body).toMatchObject({
      step: 'pairing',
      waiting: true,
      status: 'Waiting for you to enter the code on your Disco device.',
      shop: { name: 'Demo Shop', fingerprint: shop.fingerprint },
      pairing: { uid: expect.stringMatching(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/) },
    });
    const qr = started.body.pairing!.qr_image;
    expect(qr).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(qr.split(',')[1]!, 'base64').toString()).toMatch(/^<svg[^>]*>/);

    await world.pair(started.body.pairing!.uid);
    const connected = await until(() => page('/api/state'), settled);
    expect(connected.body).toMatchObject({
      step: 'connected',
      error: null,
      pairing: null,
      device: {
        fingerprint: fingerprintOf(world.device.device.deviceId),
        // this device has no nodetrust certificate, and the shop says so
        certificate: null,
        certified: 'Device not certified.',
      },
    });
    expect(asked(world)).toEqual(['register:shop', 'key_a:shop']);
    expect(world.person.seen[1]!.scope).toEqual(['address']);

    const ship = await page('/api/ship', 'POST');
    expect(ship.status).toBe(202);
    expect((await page('/api/ship', 'POST')).status).toBe(409);
    const shipped = await until(() => page('/api/state'), settled);
    expect(shipped.body).toMatchObject({
      step: 'shipped',
      error: null,
      courier: { name: 'Demo Courier', fingerprint: courier.fingerprint },
      delivery: { id: expect.stringMatching(/^[0-9A-Z]{8}$/), courier_url: courierUrl },
    });
    expect(shipped.body.status).toContain('approve it there');

    const delivery = await deliveryOf(courierUrl, shipped.body.delivery!.id);
    expect(delivery).toMatchObject({
      state: 'ready',
      status: 'Label ready to print.',
      error: null,
      device_fingerprint: fingerprintOf(world.device.device.deviceId),
      label: {
        courier: 'Demo Courier',
        delivery_id: shipped.body.delivery!.id,
        address: ['12 St James Sq', 'London', 'UK'],
      },
    });
    expect(asked(world)).toEqual([
      'register:shop',
      'key_a:shop',
      'key_b:shop',
      'register:courier*',
      'data:courier*',
    ]);
    // The shop follows the delivery: its status stops asking for an approval given already.
    const done = await until(
      () => page('/api/state'),
      (r) => r.body.delivery?.progress !== 'waiting',
    );
    expect(done.body.delivery?.progress).toBe('ready');
    expect(done.body.status).toContain('has your address and printed the label');
    // What the courier tells the shop about a delivery: its state, never the address.
    const told = await fetch(`${courierUrl}/api/deliveries/${shipped.body.delivery!.id}`);
    expect(await told.json()).toEqual({ id: shipped.body.delivery!.id, state: 'ready' });
    expect((await fetch(`${courierUrl}/api/deliveries/NOSUCHID`)).status).toBe(404);
    // the courier had not connected yet: the shop named it, for the card (issue #11)
    expect(world.person.seen[2]!.audience).toEqual({
      clientId: 'courier',
      thumbprint: courier.thumbprint,
      statedName: 'Demo Courier',
    });

    // Another visit (a new browser session), the same device: the shop is known already
    // (ERR_CLIENT_EXISTS), the courier remembers it registered.
    const again = browser(shopUrl);
    expect((await connect(world, again)).body.step).toBe('connected');
    await again('/api/ship', 'POST');
    const second = await until(
      () => again('/api/state'),
      (r) => r.body.step === 'shipped' || r.body.error !== null,
    );
    expect((await deliveryOf(courierUrl, second.body.delivery!.id))?.state).toBe('ready');
    expect(asked(world).slice(5)).toEqual(['key_a:shop', 'key_b:shop', 'data:courier*']);

    // Nothing secret travels in a URL: only the relay's own paths (docs/wire/relay.md) and the
    // tunnel's endpoints, never a query string.
    for (const url of world.urls) {
      expect(url).toMatch(
        /^\/(uid|uid\/[0-9A-Z]{4}-[0-9A-Z]{4}\/wait|p\/disco-[0-9a-f]{32}\/disco\/[a-z/._-]+)$/,
      );
    }
  });

  it('explains refusals in plain words', async () => {
    const { world, shopUrl, courierUrl } = await setup();
    world.person.answer = (p) => (p.kind === 'key_a' ? 'deny' : 'approve');
    const page = browser(shopUrl);
    const refused = await connect(world, page);
    // One truth on both sides: the device lists the shop as connected, and so does the shop.
    expect(refused.body).toMatchObject({
      step: 'idle',
      status:
        'Your Disco device lists Demo Shop as connected, but Demo Shop may not ask for your address. Connect again to be asked again.',
      error: {
        code: 'ERR_ACCESS_DENIED',
        message: 'You refused to let Demo Shop ask for the address. Nothing was shared.',
      },
    });
    // Connecting again asks key A again, without a second connect request.
    world.person.answer = () => 'approve';
    const again = await connect(world, page);
    expect(again.body).toMatchObject({ step: 'connected', error: null });
    expect(asked(world)).toEqual(['register:shop', 'key_a:shop', 'key_a:shop']);

    world.person.answer = (p) => (p.kind === 'key_b' ? 'deny' : 'approve');
    await page('/api/ship', 'POST');
    const noKeyB = await until(
      () => page('/api/state'),
      (r) => r.body.error !== null,
    );
    expect(noKeyB.body).toMatchObject({ step: 'connected', error: { code: 'ERR_ACCESS_DENIED' } });
    expect(noKeyB.body.error!.message).toMatch(/^You refused to let Demo Shop share the address/);

    // Refusing the release at the courier: the courier's page says so.
    world.person.answer = (p) => (p.kind === 'data' ? 'deny' : 'approve');
    await page('/api/ship', 'POST');
    const shipped = await until(() => page('/api/state'), settled);
    expect(shipped.body.step).toBe('shipped');
    const delivery = await deliveryOf(courierUrl, shipped.body.delivery!.id);
    expect(delivery).toMatchObject({
      state: 'failed',
      label: null,
      error: {
        code: 'ERR_ACCESS_DENIED',
        message: 'The customer refused to share the address with Demo Courier.',
      },
    });
  });

  it('says when the device is offline, and when nobody answers', async () => {
    const { world, shopUrl, courierUrl } = await setup();
    const page = browser(shopUrl);
    expect((await connect(world, page)).body.step).toBe('connected');

    world.state.online = false;
    await page('/api/ship', 'POST');
    const offline = await until(
      () => page('/api/state'),
      (r) => r.body.error !== null,
    );
    expect(offline.body).toMatchObject({
      step: 'connected',
      error: {
        code: 'ERR_DEVICE_UNREACHABLE',
        message: expect.stringMatching(/^Your device is offline/),
      },
    });

    // Online for the shop's key B, offline while the courier registers.
    world.state.online = true;
    world.person.answer = (p) => {
      if (p.kind === 'register' && p.client.clientId === 'courier') world.state.online = false;
      return 'approve';
    };
    await page('/api/ship', 'POST');
    const shipped = await until(() => page('/api/state'), settled);
    expect(shipped.body.step).toBe('shipped');
    const delivery = await deliveryOf(courierUrl, shipped.body.delivery!.id);
    expect(delivery).toMatchObject({ state: 'failed', error: { code: 'ERR_DEVICE_UNREACHABLE' } });
    expect(delivery?.status).toMatch(/offline/);

    // The person never answers: the request expires on the device (10 minutes, fake time).
    world.state.online = true;
    world.state.timeScale = 10;
    world.person.answer = () => 'ignore';
    const ignored = await connect(world, browser(shopUrl));
    expect(ignored.body).toMatchObject({ step: 'idle', error: { code: 'ERR_CONSENT_EXPIRED' } });
    expect(ignored.body.error!.message).toMatch(/waited too long/);
  });

  it('registers the courier again when the person removed it on the device', async () => {
    const { world, shopUrl, courierUrl } = await setup();
    const order = async () => {
      const page = browser(shopUrl);
      expect((await connect(world, page)).body.step).toBe('connected');
      await page('/api/ship', 'POST');
      const shipped = await until(() => page('/api/state'), settled);
      expect(shipped.body.step).toBe('shipped');
      return deliveryOf(courierUrl, shipped.body.delivery!.id);
    };
    expect((await order())?.state).toBe('ready');
    await revokeClient('courier', await loadContext(world.device.deps));
    expect((await order())?.state).toBe('ready');
    expect(asked(world).slice(5)).toEqual([
      'key_a:shop',
      'key_b:shop',
      'register:courier*',
      'data:courier*',
    ]);
  });

  it('does not contact the device for a key B the device did not sign', async () => {
    const { world, courier, courierUrl } = await setup();
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const now = Math.floor(world.device.clock.now() / 1000);
    const forged = [
      b64({ alg: 'EdDSA', typ: 'disco-key-b+jwt' }),
      b64({
        iss: world.device.device.deviceId,
        sub: 'shop',
        aud: 'courier',
        scope: 'address',
        iat: now,
        exp: now + 300,
        jti: 'forged-key-b-0001',
        cnf: { 'x5t#S256': courier.thumbprint },
      }),
      'A'.repeat(86),
    ].join('.');
    const res = await fetch(`${courierUrl}/api/deliveries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        key_b: forged,
        proxy_url: `${world.relayUrl}/p/${world.peerId}/`,
        device_id: world.device.device.deviceId,
      }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as DeliveryView;
    const delivery = await deliveryOf(courierUrl, id);
    expect(delivery).toMatchObject({
      state: 'failed',
      error: { code: 'ERR_JWT_SIGNATURE_INVALID' },
    });
    expect(delivery?.status).toMatch(/was not issued for Demo Courier/);
    expect(world.person.seen).toEqual([]);
  });
});
