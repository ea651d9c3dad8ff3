import type { Browser, Page } from '@playwright/test';
import { test, expect, createDevice, addField, approveRequest } from './fixtures.js';
import { startStack, type Stack } from './stack.js';
import { serveSdkSite, type SdkSite } from './sdk_page.js';

/**
 * The relying-party SDK in a browser: bundled as a company would ship it, on a page of its own
 * origin, it pairs with a person's device through the relay and then talks to the device over a
 * direct WebRTC data channel (`browserPeerTransport`: the browser's own RTCPeerConnection, ICE
 * servers from the relay's `/ice-servers`), while the person approves in the device app.
 */
let stack: Stack;
let site: SdkSite;
test.beforeAll(async () => {
  [stack, site] = await Promise.all([startStack(), serveSdkSite()]);
});
test.afterAll(async () => {
  await Promise.all([stack?.stop(), site?.close()]);
});

async function deviceOnline(page: Page) {
  await createDevice(page, undefined, `${stack.app}/`);
  await addField(page, 'Postal address', {
    'Street and number': '12 Grimmauld Place',
    'City or town': 'London',
    Country: 'UK',
  });
  await expect(page.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 30_000 });
}

/** The company's page: a new browser context on the SDK site's origin, its console kept. */
async function openShop(browser: Browser): Promise<{ shop: Page; log: string[] }> {
  const shop = await (await browser.newContext()).newPage();
  const log: string[] = [];
  shop.on('console', (m) => log.push(`${m.type()}: ${m.text()}`));
  shop.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  await shop.goto(site.url);
  expect(await shop.evaluate(() => typeof window.DiscoSdk.browserPeerTransport)).toBe('function');
  return { shop, log };
}

/** In the shop's page: a client identity, and a pairing code at the relay. */
async function startPairing(shop: Page, name: string): Promise<string> {
  return shop.evaluate(
    async ({ relay, name }) => {
      const S = window.DiscoSdk;
      const me = await S.createClientIdentity({ name, clock: { now: () => Date.now() } });
      const pairing = await S.startPairing(relay, me);
      window.rp = { me, pairing, paired: pairing.wait() };
      return pairing.uid;
    },
    { relay: stack.relay, name },
  );
}

/** The person types the shop's code in the device app. */
async function typeCode(device: Page, uid: string, name: string) {
  await device.getByRole('link', { name: 'Connect', exact: true }).click();
  await device.getByLabel('Pairing code').fill(uid);
  await device.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(device.getByRole('heading', { name: `Paired with ${name}` })).toBeVisible();
}

/**
 * In the shop's page: once paired, a DiscoClient over `browserPeerTransport` to the device's peer
 * id (the relay's tunnel is not used from here on), and `call` started without waiting; its
 * outcome lands in `window.rp.outcome` as `{ ok }` or `{ code }`.
 */
async function startCall(shop: Page, name: string, call: 'register' | 'keyA') {
  return shop.evaluate(
    async ({ relay, name, call }) => {
      const S = window.DiscoSdk;
      const rp = window.rp as {
        me: Awaited<ReturnType<typeof S.createClientIdentity>>;
        pairing: Awaited<ReturnType<typeof S.startPairing>>;
        paired: ReturnType<Awaited<ReturnType<typeof S.startPairing>>['wait']>;
        client?: InstanceType<typeof S.DiscoClient>;
        link?: InstanceType<typeof S.PeerLink>;
        outcome?: Promise<unknown>;
      };
      const { paired, device } = await rp.paired;
      if (!rp.client) {
        const { transport, link } = S.browserPeerTransport(relay, paired.peer_id);
        rp.link = link;
        rp.client = new S.DiscoClient({
          clientId: name.toLowerCase().replace(/\s+/g, '-'),
          clientName: name,
          clientSecret: `${name}-secret-`.padEnd(48, '0'),
          isTrusted: false,
          identity: rp.me,
          device,
          transport,
        });
      }
      const client = rp.client;
      const started = Date.now();
      const run =
        call === 'register'
          ? client.register(rp.pairing.challenge)
          : client.requestKeyA(['address']);
      rp.outcome = run.then(
        (ok) => ({ ok, ms: Date.now() - started }),
        (e: unknown) => ({
          code: e instanceof S.DiscoError ? e.code : `not a DiscoError: ${String(e)}`,
          ms: Date.now() - started,
        }),
      );
      return { peerId: paired.peer_id, linkId: rp.link!.id };
    },
    { relay: stack.relay, name, call },
  );
}

const outcome = (shop: Page) =>
  shop.evaluate(() => window.rp.outcome as Promise<{ ok?: unknown; code?: string; ms: number }>);

/** The person approves, unless the shop's call has already failed (then that failure, at once). */
async function approveOrFail(device: Page, shop: Page, client: string, log: string[]) {
  const failed = outcome(shop).then((o) => {
    if (o.code)
      throw new Error(`the call failed before the person answered: ${o.code}\n${log.join('\n')}`);
    return new Promise<never>(() => {});
  });
  await Promise.race([approveRequest(device, client), failed]);
}

test('a web page pairs with the SDK and registers and gets key A over a direct WebRTC data channel', async ({
  page: device,
  browser,
}) => {
  await deviceOnline(device);
  const { shop, log } = await openShop(browser);
  const relayRequests: string[] = [];
  shop.on('request', (r) => {
    if (r.url().startsWith(stack.relay))
      relayRequests.push(`${r.method()} ${new URL(r.url()).pathname}`);
  });

  await typeCode(device, await startPairing(shop, 'Browser Shop'), 'Browser Shop');
  const { peerId, linkId } = await startCall(shop, 'Browser Shop', 'register');
  expect(linkId).toMatch(/^rp-[0-9a-f]{16}$/);
  await approveOrFail(device, shop, 'Browser Shop', log);
  expect(await outcome(shop), log.join('\n')).toMatchObject({ ok: { status: 'registered' } });

  await startCall(shop, 'Browser Shop', 'keyA');
  await approveOrFail(device, shop, 'Browser Shop', log);
  const keyA = await outcome(shop);
  expect(keyA, log.join('\n')).toMatchObject({ ok: { scope: 'address' } });

  // ICE from the relay, signalling through it, and not one request through its HTTP tunnel
  // after pairing: register and key A went over the data channel.
  expect(relayRequests).toContain('GET /ice-servers');
  const afterPairing = relayRequests.slice(relayRequests.indexOf('GET /ice-servers'));
  expect(afterPairing.filter((r) => r.includes(`/p/${peerId}/`))).toEqual([]);
  expect(stack.output()).toContain(linkId); // the relay's signalling saw the shop's own peer

  await shop.evaluate(() => (window.rp.link as { close(): Promise<void> }).close());
});

test('a device that is not online fails the SDK call with ERR_DEVICE_UNREACHABLE, not a hang', async ({
  page: device,
  browser,
}) => {
  await deviceOnline(device);
  const { shop, log } = await openShop(browser);
  await typeCode(device, await startPairing(shop, 'Offline Shop'), 'Offline Shop');
  await shop.evaluate(() => window.rp.paired); // pinned while the device was still there
  await device.context().close(); // the person closes the app: the device leaves the relay

  await startCall(shop, 'Offline Shop', 'register');
  const result = await outcome(shop);
  expect(result, log.join('\n')).toMatchObject({ code: 'ERR_DEVICE_UNREACHABLE' });
  // not a hang (the request timeout is 30 s): the first request is sent again for 10 s (resendMs),
  // each attempt ending at the server's EXPIRE or the link's 5 s open timeout
  expect(result.ms).toBeLessThan(25_000);
});

test("the browser's own RTCPeerConnection reads the link's ICE servers anew for each connection", async ({
  browser,
}) => {
  const { shop } = await openShop(browser);
  const seen = await shop.evaluate(() => {
    const S = window.DiscoSdk;
    let credential = 'first';
    const config = S.rtcConfiguration({
      iceServers: () => [
        { urls: ['turn:127.0.0.1:3478?transport=udp'], username: 'u', credential },
      ],
      iceTransportPolicy: () => 'relay',
    });
    const read = () => {
      const pc = new RTCPeerConnection(config); // what PeerJS does for every connection
      const c = pc.getConfiguration();
      pc.close();
      return { credential: c.iceServers?.[0]?.credential, policy: c.iceTransportPolicy };
    };
    const one = read();
    credential = 'second';
    return [one, read()];
  });
  expect(seen).toEqual([
    { credential: 'first', policy: 'relay' },
    { credential: 'second', policy: 'relay' },
  ]);
});

test('a relay without ICE servers or signalling fails the SDK call with ERR_TRANSPORT_FAILED', async ({
  browser,
}) => {
  const { shop } = await openShop(browser);
  // The shop's own site as the "relay": no /ice-servers (404) and no PeerJS WebSocket.
  const codes = await shop.evaluate(async (notARelay) => {
    const S = window.DiscoSdk;
    const attempt = async (opts: Parameters<typeof S.browserPeerTransport>[2]) => {
      const { transport, link } = S.browserPeerTransport(notARelay, 'disco-nobody', opts);
      const started = Date.now();
      try {
        await transport.get('/disco/.well-known/disco-configuration');
        return { code: 'resolved', ms: Date.now() - started };
      } catch (e) {
        return { code: e instanceof S.DiscoError ? e.code : String(e), ms: Date.now() - started };
      } finally {
        await link.close();
      }
    };
    return {
      noIce: await attempt({}),
      noSignalling: await attempt({ iceServers: [], serverTimeoutMs: 5_000 }),
    };
  }, site.url);
  expect(codes.noIce.code).toBe('ERR_TRANSPORT_FAILED');
  expect(codes.noSignalling.code).toBe('ERR_TRANSPORT_FAILED');
  expect(codes.noSignalling.ms).toBeLessThan(3_000); // the refused WebSocket, not the 5 s timeout
});
