import type { Page } from '@playwright/test';
import {
  createClientIdentity,
  DiscoClient,
  fetchDeviceInfo,
  fetchTransport,
  startPairing,
} from '../src/sdk/index.js';
import { peerIdOf } from '../src/protocol/tunnel/index.js';
import { systemClock } from '../src/protocol/encoding/index.js';
import { peerTransport } from '../src/sdk/node.js';
import { test, expect, createDevice, addField, approveRequest } from './fixtures.js';
import { portsOf, startStack, type Stack } from './stack.js';
import { codeOf } from '../src/testing/code_of.js';

let stack: Stack;
test.beforeAll(async () => {
  stack = await startStack();
});
test.afterAll(async () => {
  await stack?.stop();
});

async function deviceOnline(page: Page, url: string) {
  await createDevice(page, undefined, `${url}/`);
  await addField(page, 'Postal address', {
    'Street and number': '4 Privet Drive',
    'City or town': 'Little Whinging',
    Country: 'UK',
  });
  await expect(page.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 20_000 });
}

test('an RP with nothing but fetch pairs through the relay and registers over the WebRTC tunnel', async ({
  page,
}) => {
  await deviceOnline(page, stack.app);
  // Tunnelled requests go to the service worker over a MessageChannel, not fetch: no page
  // request to /disco/, and no console line for each `authorization_pending` (HTTP 400) answer.
  const pageFetches: string[] = [];
  const noise: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/disco/')) pageFetches.push(r.url());
  });
  page.on('console', (m) => {
    if (/Failed to load resource.*\b400\b/.test(m.text())) noise.push(m.text());
  });
  const me = await createClientIdentity({ name: 'Tunnel Shop', clock: systemClock });
  const pairing = await startPairing(stack.relay, me);
  expect(pairing.uid).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  const paired = pairing.wait();

  // the person types the code the company shows
  await page.getByRole('link', { name: 'Connect', exact: true }).click();
  await page.getByLabel('Pairing code').fill(pairing.uid.toLowerCase().replace('-', ' '));
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Paired with Tunnel Shop' })).toBeVisible();

  const { paired: info, device, transport } = await paired;
  expect(info.proxy_url).toBe(`${stack.relay}/p/${info.peer_id}/`);
  const client = new DiscoClient({
    clientId: 'tunnel-shop',
    clientName: 'Tunnel Shop',
    clientSecret: 'tunnel-shop-secret-'.padEnd(40, '0'),
    isTrusted: false,
    identity: me,
    device,
    // counts what the company sends: a held poll (long-poll) replaces polling every second
    transport: {
      get: (path, signal) => transport.get(path, signal),
      post: (path, body, signal) => {
        posts++;
        return transport.post(path, body, signal);
      },
    },
  });
  let posts = 0;
  const registered = client.register(pairing.challenge);
  await approveRequest(page, 'Tunnel Shop');
  expect(await registered).toMatchObject({ status: 'registered' });
  let waits = 0;
  posts = 0;
  const keyA = client.requestKeyA(['address'], { onPending: () => waits++ });
  await expect.poll(() => waits, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
  await approveRequest(page, 'Tunnel Shop');
  expect((await keyA).scope).toBe('address');
  expect(posts).toBeGreaterThanOrEqual(4); // the request and its polls, all through the bridge
  expect(pageFetches).toEqual([]);
  expect(noise).toEqual([]);

  // the same uid cannot be used twice, and the person is told why (ERR_PAIRING_USED)
  await page.getByRole('link', { name: 'Connect', exact: true }).click();
  await page.getByLabel('Pairing code').fill(pairing.uid);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('has been used already');
  // a code nobody made (ERR_PAIRING_UNKNOWN)
  await page.getByLabel('Pairing code').fill('ZZZZ-ZZZZ');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('unknown or has expired');
});

test('an offline device gives the RP a clear error', async ({ page, context }) => {
  await deviceOnline(page, stack.app);
  const me = await createClientIdentity({ name: 'Offline Shop', clock: systemClock });
  const pairing = await startPairing(stack.relay, me);
  const paired = pairing.wait();
  await page.getByRole('link', { name: 'Connect', exact: true }).click();
  await page.getByLabel('Pairing code').fill(pairing.uid);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const { device, transport } = await paired;
  await context.close();
  const client = new DiscoClient({
    clientId: 'offline-shop',
    clientName: 'Offline Shop',
    clientSecret: 'offline-shop-secret-'.padEnd(40, '0'),
    isTrusted: false,
    identity: me,
    device,
    transport,
  });
  expect(await codeOf(client.register(pairing.challenge))).toBe('ERR_DEVICE_UNREACHABLE');
});

test("the same flow over a direct WebRTC data channel from Node (the SDK's second transport)", async ({
  page,
}) => {
  await deviceOnline(page, stack.app);
  const me = await createClientIdentity({ name: 'Direct Shop', clock: systemClock });
  const pairing = await startPairing(stack.relay, me);
  const paired = pairing.wait();
  await page.getByRole('link', { name: 'Connect', exact: true }).click();
  await page.getByLabel('Pairing code').fill(pairing.uid);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const { paired: info, device } = await paired;
  const { transport, link } = peerTransport(stack.relay, info.peer_id, {
    bindAddress: '127.0.0.1',
  });
  try {
    const client = new DiscoClient({
      clientId: 'direct-shop',
      clientName: 'Direct Shop',
      clientSecret: 'direct-shop-secret-'.padEnd(40, '0'),
      isTrusted: false,
      identity: me,
      device,
      transport,
    });
    const registered = client.register(pairing.challenge);
    await approveRequest(page, 'Direct Shop');
    expect(await registered).toMatchObject({ status: 'registered' });
  } finally {
    await link.close();
  }
});

test('after a relay restart the device reconnects by itself and answers again', async ({
  page,
}) => {
  // Two stacks start inside the test: 15–20 s each on a loaded 2-core machine.
  test.setTimeout(120_000);
  const first = await startStack();
  const ports = portsOf(first);
  let second: Stack | undefined;
  try {
    await deviceOnline(page, first.app);
    await page.getByRole('link', { name: 'Settings' }).click();
    const deviceId = (await page.getByTestId('device-id').textContent()) ?? '';
    const proxy = `${first.relay}/p/${peerIdOf(deviceId)}/`;
    expect((await fetchDeviceInfo(fetchTransport(proxy), deviceId)).deviceId).toBe(deviceId);

    await first.stop();
    await expect(page.getByTestId('relay-badge')).toHaveText(/Reconnecting/, { timeout: 20_000 });
    second = await startStack({}, ports);
    await expect(page.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 40_000 });
    expect((await fetchDeviceInfo(fetchTransport(proxy), deviceId)).deviceId).toBe(deviceId);
  } finally {
    await first.stop();
    await second?.stop();
  }
});

test('a QR code whose certificate differs from the one the relay hands over is refused (a swapping relay)', async ({
  page,
}) => {
  await deviceOnline(page, stack.app);
  const me = await createClientIdentity({ name: 'Real Shop', clock: systemClock });
  const pairing = await startPairing(stack.relay, me);
  // the code as the real shop would show it, but naming another certificate
  const forged = pairing.qr.replace(/x5t=[^&]+/, `x5t=${'Q'.repeat(43)}`);
  await page.getByRole('link', { name: 'Connect', exact: true }).click();
  await page.getByLabel('Pairing code').fill(forged);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText(
    'The relay handed over a different company than the QR code names',
  );
  await expect(page.getByRole('heading', { name: /^Paired with/ })).toHaveCount(0);
});
