import type { Page } from '@playwright/test';
import { test, expect, createDevice, PASSPHRASE } from './fixtures.js';
import { startStack, type Stack } from './stack.js';

// Issue #11: a restored backup opened while the original is still online. The relay gives the
// device id to the copy that connected last and tells the other (DISCO_REPLACED); that one says
// "Open elsewhere" and waits for its person instead of taking the id back by itself.

let stack: Stack;
test.beforeAll(async () => {
  stack = await startStack();
});
test.afterAll(async () => {
  await stack?.stop();
});

const badge = (page: Page) => page.getByTestId('relay-badge');

test('a restored copy takes the relay over, the original is told, and "Use this one instead" takes it back', async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  await createDevice(page, undefined, `${stack.app}/`);
  await expect(badge(page)).toHaveText(/Online/, { timeout: 20_000 });

  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('Your passphrase').fill(PASSPHRASE);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download backup' }).click(),
  ]);
  const file = await download.path();

  const second = await browser.newContext();
  const copy = await second.newPage();
  await copy.goto(`${stack.app}/`);
  await copy.getByLabel('Backup file').setInputFiles(file);
  await copy.getByLabel('Passphrase of the backup').fill(PASSPHRASE);
  await copy.getByRole('button', { name: 'Restore from backup' }).click();
  await expect(copy.getByRole('heading', { name: 'My data' })).toBeVisible();
  await expect(badge(copy)).toHaveText(/Online/, { timeout: 20_000 });

  // the original is told, and stays told: it does not reconnect by itself
  await expect(badge(page)).toHaveText(/Open elsewhere/, { timeout: 20_000 });
  await badge(page).click();
  await expect(page.getByText('This one has stopped listening.')).toBeVisible();
  await page.waitForTimeout(3000);
  await expect(badge(page)).toHaveText(/Open elsewhere/);
  await expect(badge(copy)).toHaveText(/Online/);

  // the person chooses the original: it is reachable again, and the copy is told in turn
  await page.getByRole('button', { name: 'Use this one instead' }).click();
  // "Online" is the device's own check through the relay's tunnel: the relay routes to it again
  await expect(badge(page)).toHaveText(/Online/, { timeout: 20_000 });
  await expect(badge(copy)).toHaveText(/Open elsewhere/, { timeout: 20_000 });
  await page.waitForTimeout(3000);
  await expect(badge(page)).toHaveText(/Online/);
  await expect(badge(copy)).toHaveText(/Open elsewhere/);
  // the relay replaced the id twice, once per choice: no copy took it back by itself
  expect(stack.output().match(/"event":"peer\.replaced"/g)).toHaveLength(2);
  await second.close();
});
