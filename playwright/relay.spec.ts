import type { Page } from '@playwright/test';
import { createClientIdentity, DiscoClient, isDiscoError, startPairing } from '../src/sdk/index.js';
import { systemClock } from '../src/protocol/encoding/index.js';
import { test, expect, createDevice, addField } from './fixtures.js';
import { startStack, type Stack } from './stack.js';

let stack: Stack;
test.beforeAll(async () => {
  stack = await startStack();
});
test.afterAll(async () => {
  await stack?.stop();
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return isDiscoError(err) ? err.code : `not a DiscoError: ${String(err)}`;
  }
}

async function deviceOnline(page: Page, url: string) {
  await createDevice(page, undefined, `${url}/`);
  await addField(page, 'Postal address', {
    'Street and number': '4 Privet Drive',
    'City or town': 'Little Whinging',
    Country: 'UK',
  });
  await expect(page.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 20_000 });
}

async function approve(page: Page, client: string) {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: /^Requests/ })
    .click();
  await page.getByRole('button', { name: `Approve ${client}'s request` }).click();
  await expect(page.getByRole('button', { name: `Approve ${client}'s request` })).toHaveCount(0);
}

test('an RP with nothing but fetch pairs through the relay and registers over the WebRTC tunnel', async ({
  page,
}) => {
  await deviceOnline(page, stack.app);
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
    transport,
  });
  const registered = client.register(pairing.challenge);
  await approve(page, 'Tunnel Shop');
  expect(await registered).toMatchObject({ status: 'registered' });
  const keyA = client.requestKeyA(['address']);
  await approve(page, 'Tunnel Shop');
  expect((await keyA).scope).toBe('address');

  // the same uid cannot be used twice
  await page.getByRole('link', { name: 'Connect', exact: true }).click();
  await page.getByLabel('Pairing code').fill(pairing.uid);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page.getByRole('alert')).toBeVisible();
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
