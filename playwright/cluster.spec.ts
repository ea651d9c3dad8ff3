import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { createCourier } from '../src/demo/courier/courier.js';
import { createShop } from '../src/demo/shop/shop.js';
import { peerIdOf } from '../src/protocol/tunnel/index.js';
import { serveApp } from '../src/server/app/serve_app.js';
import { listen } from '../src/server/listen.js';
import {
  startCluster,
  type RelayProcess,
  type RunningCluster,
} from '../src/server/relay/cluster/start_cluster.js';
import { startCoturn, type LocalTurnServer } from '../src/server/turn/coturn.js';
import { test, expect, createDevice, addField, DIST } from './fixtures.js';

/**
 * The relay as a cluster, real parts (issue #14): Debian's redis-server, three relay processes
 * (the compiled `npm run relay`) and HAProxy in front, Debian's coturn for the data channels, the
 * device app in Chromium (no WebRTC flags) whose relay is the balancer. The demo shop talks to
 * one relay process and the demo courier to another, neither the one holding the device's
 * signalling socket, and they complete the seed scenario. Then that process is SIGKILLed: the
 * device reconnects by itself, a pairing a second shop started before the kill completes after
 * it, and every request the device answered reached its company exactly once.
 */

type Served = Awaited<ReturnType<typeof listen>>;

/** One tunnelled POST as a company sent it, and what came back (nothing yet: in flight). */
interface Sent {
  company: string;
  body: string;
  status?: number;
  code?: string;
  error?: string;
}

/** Codes the relay answers with itself: the device never saw (or never answered) the request. */
const RELAY_MADE = new Set([
  'ERR_DEVICE_UNREACHABLE',
  'ERR_TRANSPORT_FAILED',
  'ERR_TIMEOUT',
  'ERR_RELAY_BUSY',
  'ERR_RELAY_STORE_UNAVAILABLE',
  'ERR_RATE_LIMITED',
  'ERR_REQUEST_TIMEOUT',
]);

/**
 * A company's `fetch` (the demos' `sdk.fetch`): everything meant for the balancer goes to this
 * company's own relay process instead (pairing, long poll, and the tunnel at the `proxy_url`
 * the device gave, which names the balancer), and each tunnelled POST is written down with
 * its answer.
 */
function companyFetch(company: string, balancer: string, own: string, sent: Sent[]): typeof fetch {
  return async (input, init) => {
    if (typeof input !== 'string' && !(input instanceof URL))
      throw new TypeError('the demos fetch by URL');
    const url = new URL(input);
    if (url.origin === balancer) url.host = new URL(own).host;
    const tunnelled = init?.method === 'POST' && url.pathname.startsWith('/p/');
    const entry: Sent | undefined =
      tunnelled && typeof init?.body === 'string' ? { company, body: init.body } : undefined;
    if (entry) sent.push(entry);
    try {
      const res = await fetch(url, init);
      if (entry) {
        entry.status = res.status;
        const text = await res.clone().text();
        const code = /"code"\s*:\s*"([A-Z0-9_]+)"/.exec(text)?.[1];
        if (code) entry.code = code;
      }
      return res;
    } catch (err) {
      if (entry) entry.error = (err as Error).name;
      throw err;
    }
  };
}

/**
 * Writes down, in the device page, the body of every POST the page hands to its engine (the
 * service worker, docs/wire/tunnel.md): a request the device answers.
 */
function recordEngineRequests(page: Page) {
  return page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __engineRequests: string[] }).__engineRequests = seen;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with its own this
    const post = ServiceWorker.prototype.postMessage;
    ServiceWorker.prototype.postMessage = function (
      this: ServiceWorker,
      message: unknown,
      ...rest: [StructuredSerializeOptions?]
    ) {
      const m = message as { type?: string; request?: { method?: string; body?: ArrayBuffer } };
      if (m?.type === 'ENGINE_REQUEST' && m.request?.method === 'POST' && m.request.body)
        seen.push(new TextDecoder().decode(m.request.body)); // before the transfer detaches it
      return post.call(this, message, ...(rest as [StructuredSerializeOptions]));
    } as typeof ServiceWorker.prototype.postMessage;
  });
}

/**
 * The live relay process whose last word about `peerId` is that it connected (its JSON log):
 * the one holding the device's signalling socket.
 */
function holderOf(cluster: RunningCluster, peerId: string): RelayProcess[] {
  return cluster.relays.filter((r) => {
    if (r.child.exitCode !== null || r.child.signalCode !== null) return false;
    let last = '';
    for (const line of r.output().split('\n')) {
      if (!line.includes(`"peer_id":"${peerId}"`)) continue;
      if (line.includes('"event":"peer.connected"')) last = 'connected';
      else if (/"event":"peer\.(disconnected|replaced)"/.test(line)) last = 'gone';
    }
    return last === 'connected';
  });
}

/**
 * Approves `client`'s one waiting request (fixtures' `approveRequest`, with the time a request
 * may take to cross processes on a busy machine).
 */
async function approve(device: Page, client: string) {
  await device
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: /^Requests/ })
    .click();
  const button = device.getByRole('button', { name: `Approve ${client}'s request` });
  await expect(button).toHaveCount(1, { timeout: 60_000 });
  // This card goes, by its id: with answers pushed the company's next request (a button of the
  // same name) can be on screen before this check runs.
  const card = device.locator('article[data-testid^="request-"]').filter({ has: button });
  const id = await card.getAttribute('data-testid');
  await button.click();
  await expect(device.getByTestId(id!)).toHaveCount(0, { timeout: 30_000 });
}

async function pair(device: Page, shop: Page, name: string) {
  const uid = ((await shop.getByTestId('pairing-uid').textContent()) ?? '').trim();
  await device
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Connect', exact: true })
    .click();
  await device.getByLabel('Pairing code').fill(uid);
  await device.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(device.getByRole('heading', { name: `Paired with ${name}` })).toBeVisible({
    timeout: 30_000,
  });
  expect(await device.getByTestId('paired-fingerprint').textContent()).toBe(
    await shop.getByTestId('shop-fingerprint').textContent(),
  );
}

async function startPairing(shop: Page) {
  await shop.getByRole('button', { name: 'Connect with Disco' }).click();
  await expect(shop.getByTestId('pairing-uid')).toHaveText(/^\s*[0-9A-Z]{4}-[0-9A-Z]{4}\s*$/, {
    timeout: 20_000,
  });
}

/**
 * Waits until relay process `from` reaches the device over a data channel (a tunnelled GET of
 * its configuration answers 200). The link opens a channel in at most 5 s and a company's first
 * request does not wait for a second try: on a busy machine the first one, across processes and
 * through TURN, can miss that (ERR_DEVICE_UNREACHABLE). The open channel is then reused.
 */
async function reachable(from: RelayProcess, peerId: string) {
  const url = `${from.url}/p/${peerId}/disco/.well-known/disco-configuration`;
  await expect
    .poll(async () => (await fetch(url).catch(() => undefined))?.status, { timeout: 90_000 })
    .toBe(200);
}

async function newPage(browser: Browser, url: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(url);
  return page;
}

test.describe('relay cluster, real parts: 3 relays + Redis + HAProxy + coturn, device in Chromium', () => {
  let turn: LocalTurnServer;
  let cluster: RunningCluster;
  let app: Served;
  let dataDir: string;
  const servers: Served[] = [];
  const companies: { close(): void }[] = [];

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    dataDir = await mkdtemp(join(tmpdir(), 'disco-cluster-spec-'));
    turn = await startCoturn({ host: '127.0.0.1' });
    cluster = await startCluster({
      relays: 3,
      drainMs: 500,
      env: {
        // every process hands out credentials for the same coturn secret
        DISCO_RELAY_TURN_URLS: turn.urls.join(','),
        DISCO_RELAY_TURN_SECRET: turn.secret,
        DISCO_RELAY_ALLOW_LOOPBACK_CALLBACKS: 'true',
      },
    });
    app = await listen(serveApp(DIST, { relayUrl: cluster.url }), 0);
  });
  test.afterAll(async () => {
    for (const c of companies) c.close();
    await Promise.all([...servers, app].map((s) => s?.close()));
    await cluster?.stop();
    await turn?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form
  test.afterEach(async ({}, testInfo) => {
    if (testInfo.status === testInfo.expectedStatus) return;
    for (const [i, r] of (cluster?.relays ?? []).entries())
      await testInfo.attach(`relay ${i} output`, { body: r.output(), contentType: 'text/plain' });
  });

  test('the seed scenario across processes; the device survives SIGKILL of its process', async ({
    browser,
  }) => {
    test.setTimeout(300_000);
    const balancer = new URL(cluster.url).origin;
    const sent: Sent[] = [];

    // The device app, its relay the balancer.
    const device = await (await browser.newContext()).newPage();
    await recordEngineRequests(device);
    await createDevice(device, undefined, `${app.url}/`);
    await addField(device, 'Postal address', {
      'Street and number': '742 Evergreen Terrace',
      'City or town': 'Springfield',
      'Postal code (optional)': '49007',
      Country: 'USA',
    });
    await expect(device.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 60_000 });
    await device
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Settings' })
      .click();
    const peerId = peerIdOf(((await device.getByTestId('device-id').textContent()) ?? '').trim());

    // Which process the balancer gave the device; the companies each get one of the others.
    await expect.poll(() => holderOf(cluster, peerId).length, { timeout: 30_000 }).toBe(1);
    const held = holderOf(cluster, peerId)[0]!;
    const [shopRelay, courierRelay] = cluster.relays.filter((r) => r !== held);
    await reachable(shopRelay!, peerId);
    await reachable(courierRelay!, peerId);
    const company = async (
      name: string,
      relay: RelayProcess,
      make: (
        fetchFn: typeof fetch,
      ) => Promise<{ app: Parameters<typeof listen>[0]; close(): void }>,
    ) => {
      const made = await make(companyFetch(name, balancer, relay.url, sent));
      companies.push(made);
      const served = await listen(made.app, 0);
      servers.push(served);
      return served.url;
    };
    const courierUrl = await company('courier', courierRelay!, (fetchFn) =>
      createCourier({
        relayUrl: courierRelay!.url,
        relays: [cluster.url],
        dataDir: join(dataDir, 'courier'),
        sdk: { fetch: fetchFn },
      }),
    );
    const shopUrl = await company('shop', shopRelay!, (fetchFn) =>
      createShop({
        relayUrl: shopRelay!.url,
        courierUrl,
        dataDir: join(dataDir, 'shop'),
        sdk: { fetch: fetchFn },
      }),
    );
    // A second shop on the courier's process: its pairing is the one the kill interrupts.
    const shop2Url = await company('shop2', courierRelay!, (fetchFn) =>
      createShop({
        relayUrl: courierRelay!.url,
        courierUrl,
        clientId: 'shop2',
        clientName: 'Second Shop',
        dataDir: join(dataDir, 'shop2'),
        sdk: { fetch: fetchFn },
      }),
    );

    // The seed scenario, by clicking.
    const shop = await newPage(browser, `${shopUrl}/`);
    const courier = await newPage(browser, `${courierUrl}/`);
    await startPairing(shop);
    await pair(device, shop, 'Demo Shop');
    await approve(device, 'Demo Shop'); // connect
    await approve(device, 'Demo Shop'); // key A
    await shop.getByRole('button', { name: 'Ship my order' }).click();
    await approve(device, 'Demo Shop'); // key B for the courier
    await approve(device, 'Demo Courier'); // the courier connects
    await approve(device, 'Demo Courier'); // the release
    const label = courier.locator('[data-testid^="delivery-"]').first();
    await expect(label).toContainText('742 Evergreen Terrace', { timeout: 30_000 });
    await expect(label).toContainText('Springfield');
    const beforeKill = sent.length;
    expect(new Set(sent.map((s) => s.company))).toEqual(new Set(['shop', 'courier']));

    // A pairing started before the kill: the second shop shows its code and waits on its relay.
    const shop2 = await newPage(browser, `${shop2Url}/`);
    await startPairing(shop2);

    // SIGKILL of the process holding the device's socket.
    held.child.kill('SIGKILL');
    await held.exited;

    // The device reconnects by itself, through the balancer, to a process still alive.
    await expect
      .poll(() => holderOf(cluster, peerId).length, {
        timeout: 90_000,
        intervals: [250, 500, 1000],
      })
      .toBe(1);
    expect(holderOf(cluster, peerId)[0]).not.toBe(held);
    await expect(device.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 60_000 });

    // The interrupted pairing completes: paired, connected and key A, through the new socket
    // (the device dropped its data channels with its old socket; the second shop's process
    // opens a new one through the cluster's signalling).
    await reachable(courierRelay!, peerId);
    await pair(device, shop2, 'Second Shop');
    await approve(device, 'Second Shop'); // connect
    await approve(device, 'Second Shop'); // key A
    await expect(shop2.getByRole('button', { name: 'Ship my order' })).toBeVisible({
      timeout: 30_000,
    });
    expect(sent.slice(beforeKill).some((s) => s.company === 'shop2')).toBe(true);

    // Every request the device answered reached its company once, with the device's answer.
    await expect.poll(() => sent.filter((s) => s.status === undefined && !s.error).length).toBe(0);
    const answered = await device.evaluate(
      () => (window as unknown as { __engineRequests: string[] }).__engineRequests,
    );
    expect(answered.length).toBeGreaterThanOrEqual(10);
    expect(new Set(answered).size, 'a request the device answered twice').toBe(answered.length);
    const ledger = `device answered ${answered.length} POSTs; companies sent ${sent.length} (${sent.length - beforeKill} after the kill)`;
    test.info().annotations.push({ type: 'ledger', description: ledger });
    console.log(`cluster: ${ledger}`);
    const fromDevice = sent.filter((s) => s.status !== undefined && !RELAY_MADE.has(s.code ?? ''));
    const lost = answered
      .filter((body) => fromDevice.filter((s) => s.body === body).length !== 1)
      .map((body) => `…${body.slice(-22)}`); // the JWE's tag names it
    expect(lost, 'answered by the device, not received once by its company').toEqual([]);
    // and every answer a company got from the device is one the device gave
    expect(fromDevice.filter((s) => !answered.includes(s.body))).toEqual([]);
  });
});
