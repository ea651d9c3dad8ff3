import { resolve } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { serveApp } from '../src/server/app/serve_app.js';
import { listen } from '../src/server/listen.js';

/** The built app; `DISCO_DIST` points at another build (a helper's own, say). */
export const DIST = process.env.DISCO_DIST ?? resolve(import.meta.dirname, '..', 'dist');
export const PASSPHRASE = 'purple elephant sings at noon';

/** One real server per worker, serving the built app; each test gets a fresh browser context. */
export const test = base.extend<{ cspViolations: string[] }, { appUrl: string }>({
  appUrl: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form
    async ({}, use) => {
      const server = await listen(serveApp(DIST), 0);
      await use(server.url);
      await server.close();
    },
    { scope: 'worker' },
  ],
  baseURL: async ({ appUrl }, use) => use(appUrl),
  // Every test fails if the page breaks its own Content-Security-Policy.
  cspViolations: [
    async ({ page }, use) => {
      const violations: string[] = [];
      page.on('console', (msg) => {
        if (/Content.Security.Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
      });
      await use(violations);
      expect(violations, 'CSP violations').toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

/** Waits until the service worker controls the page. */
export async function controlled(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) =>
        navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }),
      );
    }
  });
}

/** First run: create the device with the test passphrase. */
export async function createDevice(page: Page, passphrase = PASSPHRASE, url = '/'): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Choose a passphrase').fill(passphrase);
  await page.getByLabel('Type it again').fill(passphrase);
  await page.getByRole('button', { name: 'Create my device' }).click();
  await expect(page.getByRole('heading', { name: 'My data' })).toBeVisible();
}

export async function addField(
  page: Page,
  kind: string,
  values: Record<string, string>,
  { saved = true }: { saved?: boolean } = {},
): Promise<void> {
  await page.getByLabel('Add information').selectOption({ label: kind });
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  for (const [label, value] of Object.entries(values)) {
    await page.getByLabel(label, { exact: true }).fill(value);
  }
  await page.getByRole('button', { name: 'Save' }).click();
  if (!saved) return; // the caller checks what the editor says
  // Saved once the editor closes: the next step (another field, a company's request) must not
  // race the write. A save that fails keeps the editor open with its error, named here.
  const editor = page.locator('form.editor');
  await expect(editor)
    .toHaveCount(0, { timeout: 20_000 })
    .catch(async (err: unknown) => {
      const shown = await editor.locator('[role="alert"], .error').allTextContents();
      throw new Error(`Saving ${kind} left the editor open: ${shown.join(' ') || 'no error'}`, {
        cause: err,
      });
    });
}

/** Opens Requests in the device app and approves `client`'s one waiting request. */
export async function approveRequest(device: Page, client: string): Promise<void> {
  await device
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: /^Requests/ })
    .click();
  const button = device.getByRole('button', { name: `Approve ${client}'s request` });
  await expect(button).toHaveCount(1, { timeout: 20_000 });
  // This card goes, by its id: with answers pushed (issue #16) the company's next request can
  // be on screen, with a button of the same name, before this check runs.
  const card = device.locator('article[data-testid^="request-"]').filter({ has: button });
  const id = await card.getAttribute('data-testid');
  await button.click();
  await expect(device.getByTestId(id!)).toHaveCount(0);
}
