// Issue #16 on `npm start` itself: the person approves in the device app, and the demo shop —
// its own server, then its own checkout page — has the answer. The stack is src/start/main.ts
// as a child process (playwright/stack.ts, as demo.spec.ts runs it), the device app and the
// shop's page in Debian Chromium, over real WebRTC: run it as root, or inside the tests'
// network namespace (bench/relay.ts explains why).
//
//   npx tsx bench/npm_start_approval.ts [pairings]      (default 5; two approvals a pairing)
//
// Each pairing is a new device and a new shop session: the shop shows a code, the device types it, the person
// approves the shop's connection, then its key A request. For both approvals it times, from the
// device page's click event: (1) the shop's server has the answer — its JSON state changes,
// watched from the shop's page with a request the shop holds until its state changes — and (2) the
// shop's own page shows it, which it learns the same way (`GET /api/state?since=`, docs/demo.md).
// Prints medians; figures, not assertions.
import { resolve } from 'node:path';
import type { Page } from '@playwright/test';

const ROOT = resolve(import.meta.dirname, '..');
process.chdir(ROOT); // startStack resolves src/start/main.ts from the working directory

const { chromium } = await import('@playwright/test');
const { CHROMIUM_ARGS, CHROMIUM_PATH } = await import('../playwright.config.js');
const { startStack } = await import('../playwright/stack.js');
const { createDevice, addField, expect } = await import('../playwright/fixtures.js');
const { peerIdOf } = await import('../src/protocol/tunnel/index.js');

const PAIRINGS = Number(process.argv[2] ?? 5);
/** In the device page: the time of each click (wall clock), as the page sees it. */
const NOTE_CLICKS = `(() => {
  window.__clicks = [];
  document.addEventListener('click', () => window.__clicks.push(performance.timeOrigin + performance.now()), true);
})()`;

/**
 * In the shop's page: when its server's state first reaches `step` (a request held by the shop
 * until its state changes, `GET /api/state?since=`, as the page's own), and when the page itself
 * enables "Ship my order" (the shop's own view of being connected).
 */
const WATCH_SHOP = `(() => {
  const at = () => performance.timeOrigin + performance.now();
  window.__steps = {};
  const ship = document.querySelector('button#ship') ?? [...document.querySelectorAll('button')].find((b) => b.textContent.includes('Ship my order'));
  new MutationObserver(() => { if (!ship.disabled && !window.__shown) window.__shown = at(); })
    .observe(ship, { attributes: true, attributeFilter: ['disabled'] });
  const watch = async (version) => {
    const since = typeof version === 'number' ? '?since=' + version : '';
    try {
      const state = await (await fetch('/api/state' + since, { headers: { accept: 'application/json' } })).json();
      window.__steps[state.step] ??= at();
      if (state.step !== 'connected') void watch(state.version);
    } catch (err) {
      window.__watchFailed = String(err);
    }
  };
  void watch();
})()`;

async function approve(device: Page, client: string): Promise<number> {
  await device
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: /^Requests/ })
    .click();
  const button = device.getByRole('button', { name: `Approve ${client}'s request` });
  await expect(button).toHaveCount(1, { timeout: 20_000 });
  const card = device.locator('article[data-testid^="request-"]').filter({ has: button });
  const id = await card.getAttribute('data-testid');
  await button.click();
  await expect(device.getByTestId(id!)).toHaveCount(0);
  return device.evaluate<number>('window.__clicks[window.__clicks.length - 1]');
}

/** One tunnel round trip to this device (GET disco-configuration via the relay), median of 20. */
async function roundTrip(device: Page, relay: string): Promise<number> {
  await device.getByRole('link', { name: 'Settings' }).click();
  const deviceId = (await device.getByTestId('device-id').textContent()) ?? '';
  const url = `${relay}/p/${peerIdOf(deviceId)}/disco/.well-known/disco-configuration`;
  const deadline = Date.now() + 30_000; // the relay's link may still be connecting
  while ((await fetch(url)).status !== 200)
    if (Date.now() > deadline) throw new Error('the device does not answer through the relay');
    else await new Promise((ok) => setTimeout(ok, 250));
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const start = performance.now();
    await (await fetch(url)).arrayBuffer();
    times.push(performance.now() - start);
  }
  return median(times);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const stack = await startStack();
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  const server: number[] = [];
  const page: number[] = [];
  const trips: number[] = [];
  for (let i = 0; i < PAIRINGS; i++) {
    // A device of its own each time: a device that knows the shop files no connect request.
    const device = await (await browser.newContext()).newPage();
    await createDevice(device, undefined, `${stack.app}/`);
    await addField(device, 'Postal address', {
      'Street and number': '742 Evergreen Terrace',
      'City or town': 'Springfield',
      'Postal code (optional)': '49007',
      Country: 'USA',
    });
    await expect(device.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 20_000 });
    await device.evaluate(NOTE_CLICKS);
    trips.push(await roundTrip(device, stack.relay));
    const context = await browser.newContext();
    const shop = await context.newPage();
    await shop.goto(`${stack.shop}/`);
    await shop.getByRole('button', { name: 'Connect with Disco' }).click();
    await expect(shop.getByTestId('pairing-uid')).toHaveText(/^\s*[0-9A-Z]{4}-[0-9A-Z]{4}\s*$/);
    const uid = ((await shop.getByTestId('pairing-uid').textContent()) ?? '').trim();
    await device.getByRole('link', { name: 'Connect', exact: true }).click();
    await device.getByLabel('Pairing code').fill(uid);
    await device.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(device.getByRole('heading', { name: 'Paired with Demo Shop' })).toBeVisible();
    await shop.evaluate(WATCH_SHOP);
    const connectClick = await approve(device, 'Demo Shop');
    const keyAClick = await approve(device, 'Demo Shop');
    await expect(shop.getByRole('button', { name: 'Ship my order' })).toBeEnabled({
      timeout: 20_000,
    });
    const { steps, shown } = await shop.evaluate<{ steps: Record<string, number>; shown: number }>(
      '({ steps: window.__steps, shown: window.__shown })',
    );
    // connect approved → the shop registered and asks key A ('authorizing'); key A → 'connected'
    const afterConnect = steps.authorizing! - connectClick;
    const afterKeyA = steps.connected! - keyAClick;
    server.push(afterConnect, afterKeyA);
    page.push(shown - keyAClick);
    console.log(
      `pairing ${i + 1}: connect → shop server ${afterConnect.toFixed(0)} ms, key A → shop server ${afterKeyA.toFixed(0)} ms, → shop page ${(shown - keyAClick).toFixed(0)} ms`,
    );
    await context.close();
    await device.context().close();
  }
  console.log(
    `npm start, approval click → the demo shop's server has the answer: median ${median(server).toFixed(0)} ms of ${server.length} (min ${Math.min(...server).toFixed(0)}, max ${Math.max(...server).toFixed(0)})`,
  );
  console.log(
    `  one tunnel round trip to the device (fetch, as the shop's SDK): median ${median(trips).toFixed(1)} ms; ratio ${(median(server) / median(trips)).toFixed(1)}×`,
  );
  console.log(
    `npm start, approval click → the demo shop's page shows it: median ${median(page).toFixed(0)} ms of ${page.length} (its page keeps a request waiting at its server)`,
  );
} finally {
  await browser.close();
  await stack.stop();
}
process.exit(0); // PeerJS and node-datachannel keep handles open
