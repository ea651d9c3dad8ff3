import type { Browser, Page } from '@playwright/test';
import { test, expect, createDevice, addField, approveRequest } from './fixtures.js';
import { startStack, type Stack } from './stack.js';

/**
 * The seed scenario as a person and two companies live it on `npm start`: the device app, the
 * demo shop and the demo courier, each its own origin, the relay and demos as a real process,
 * the device reached over real WebRTC. The person types the shop's code and approves each step.
 */
async function openDevice(browser: Browser, stack: Stack): Promise<Page> {
  const device = await (await browser.newContext()).newPage();
  await createDevice(device, undefined, `${stack.app}/`);
  await addField(device, 'Postal address', {
    'Street and number': '742 Evergreen Terrace',
    'City or town': 'Springfield',
    'Postal code (optional)': '49007',
    Country: 'USA',
  });
  await expect(device.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 20_000 });
  return device;
}

async function pairShop(device: Page, shop: Page) {
  await shop.getByRole('button', { name: 'Connect with Disco' }).click();
  await expect(shop.getByTestId('pairing-uid')).toHaveText(/^\s*[0-9A-Z]{4}-[0-9A-Z]{4}\s*$/);
  const uid = ((await shop.getByTestId('pairing-uid').textContent()) ?? '').trim();
  await expect(shop.getByTestId('pairing-qr')).toBeVisible();
  await device.getByRole('link', { name: 'Connect', exact: true }).click();
  await device.getByLabel('Pairing code').fill(uid);
  await device.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(device.getByRole('heading', { name: 'Paired with Demo Shop' })).toBeVisible();
  // the fingerprint the device shows is the one the shop shows
  expect(await device.getByTestId('paired-fingerprint').textContent()).toBe(
    await shop.getByTestId('shop-fingerprint').textContent(),
  );
}

async function runScenario(browser: Browser, stack: Stack, opts: { reloadMidway?: boolean } = {}) {
  const device = await openDevice(browser, stack);
  const shop = await (await browser.newContext()).newPage();
  await shop.goto(`${stack.shop}/`);
  const courier = await (await browser.newContext()).newPage();
  await courier.goto(`${stack.courier}/`);

  await pairShop(device, shop);
  await approveRequest(device, 'Demo Shop'); // connect
  if (opts.reloadMidway) {
    // Reload at once: the shop's key A request may be cut on its way (it is sent again, the same
    // bytes, and filed once) or wait across the reload (polled again).
    await device.reload();
    await expect(device.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 20_000 });
  }
  await approveRequest(device, 'Demo Shop'); // key A
  await shop.getByRole('button', { name: 'Ship my order' }).click();
  // the courier has not connected yet: the card names it as the shop does, and says so (#11)
  await expect(
    device.getByRole('heading', {
      name: 'Demo Shop asks to pass your Postal address to Demo Courier — named by Demo Shop, once',
    }),
  ).toBeVisible({ timeout: 20_000 });
  await approveRequest(device, 'Demo Shop'); // key B for the courier
  await approveRequest(device, 'Demo Courier'); // the courier connects
  await approveRequest(device, 'Demo Courier'); // the release
  const label = courier.locator('[data-testid^="delivery-"]').first();
  await expect(label).toContainText('742 Evergreen Terrace', { timeout: 20_000 });
  await expect(label).toContainText('Springfield');
  return { device, shop, courier };
}

test.describe('demo shop and courier on the real stack', () => {
  let stack: Stack;
  test.beforeAll(async () => {
    stack = await startStack();
  });
  test.afterAll(async () => {
    await stack?.stop();
  });
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form
  test.afterEach(async ({}, testInfo) => {
    if (testInfo.status !== testInfo.expectedStatus)
      await testInfo.attach('stack output', { body: stack.output(), contentType: 'text/plain' });
  });

  test('the seed scenario, by clicking, across three origins over WebRTC', async ({ browser }) => {
    const { device } = await runScenario(browser, stack);
    await device.getByRole('link', { name: 'Activity' }).click();
    await expect(
      device.locator('[data-testid^="activity-"]').filter({ hasText: 'Demo Courier' }).first(),
    ).toContainText(/Postal address/);
  });

  test('the device app reloads mid-flow and the flow completes', async ({ browser }) => {
    await runScenario(browser, stack, { reloadMidway: true });
  });
});

test('a relay that flips a byte of an envelope makes the flow fail with a typed error and releases nothing', async ({
  browser,
}) => {
  const stack = await startStack({ DISCO_RELAY_TAMPER: '1' });
  try {
    const device = await openDevice(browser, stack);
    const shop = await (await browser.newContext()).newPage();
    await shop.goto(`${stack.shop}/`);
    await pairShop(device, shop);
    await expect(shop.getByTestId('shop-error')).toContainText(/.+/, { timeout: 20_000 });
    await device
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: /^Requests/ })
      .click();
    await expect(device.getByText('No requests waiting.')).toBeVisible();
    await device.getByRole('link', { name: 'Connections' }).click();
    await expect(device.locator('[data-testid^="client-"]')).toHaveCount(0);
    expect(stack.output()).toMatch(/tamper/i);
  } finally {
    await stack.stop();
  }
});
