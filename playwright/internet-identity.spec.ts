import type { Page } from '@playwright/test';
import express from 'express';
import { startTestIdp } from '../src/demo/test_idp/test_idp.js';
import { startTestReplica } from '../src/demo/test_idp/test_replica.js';
import { serveApp } from '../src/server/app/serve_app.js';
import { listen } from '../src/server/listen.js';
import { verifyPrincipalProof } from '../src/sdk/index.js';
import { test as base, controlled, createDevice, DIST, expect } from './fixtures.js';
import { makeRp, pageTransport } from './rp.js';

/**
 * Internet Identity sign-in (issue #9) against the test identity provider (src/demo/test_idp),
 * which runs on its own origin and speaks the provider's side of the popup protocol.
 */
type Idp = { url: string; stop: () => Promise<void> };
type Replica = Awaited<ReturnType<typeof startTestReplica>>;
const test = base.extend<object, { idp: Idp; shortIdp: Idp; replica: Replica }>({
  replica: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form
    async ({}, use) => {
      const replica = await startTestReplica();
      await use(replica);
      await replica.stop();
    },
    { scope: 'worker' },
  ],
  // The app as deployed against the test replica: its origin in the CSP's connect-src, and its
  // host and BLS root key in /app-config.json.
  appUrl: [
    async ({ replica }, use) => {
      const app = express();
      app.get('/app-config.json', (_req, res) => {
        res.set('cache-control', 'no-store').json({
          relayUrl: null,
          icHost: replica.url,
          icRootKey: Buffer.from(replica.rootKey).toString('hex'),
          icRootSubnetId: replica.subnetId,
        });
      });
      app.use(serveApp(DIST, { connectSrc: [replica.url] }));
      const server = await listen(app, 0);
      await use(server.url);
      await server.close();
    },
    { scope: 'worker' },
  ],
  idp: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form
    async ({}, use) => {
      const idp = await startTestIdp();
      await use(idp);
      await idp.stop();
    },
    { scope: 'worker' },
  ],
  // Gives 3-second delegations, so a test sees one expire.
  shortIdp: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form
    async ({}, use) => {
      const idp = await startTestIdp({ maxTimeToLiveNs: 3_000_000_000n });
      await use(idp);
      await idp.stop();
    },
    { scope: 'worker' },
  ],
});

const PRINCIPAL = /^[a-z2-7]{5}(-[a-z2-7]{1,5})+$/;

async function openIdentity(page: Page, provider: string): Promise<void> {
  await createDevice(page);
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Identity' })
    .click();
  await expect(page.getByRole('heading', { name: 'Identity', exact: true })).toBeVisible();
  await page.getByLabel('Identity provider address').fill(provider);
  await page.getByRole('button', { name: 'Save provider' }).click();
  await expect(page.getByText('Identity provider saved.')).toBeVisible();
}

/** Clicks sign in (or renew) and returns the provider's popup once it has the app's request. */
async function openPopup(page: Page, name = 'Sign in with Internet Identity'): Promise<Page> {
  const opened = page.waitForEvent('popup');
  await page.getByRole('button', { name }).click();
  const popup = await opened;
  await expect(popup.getByRole('button', { name: 'Approve' })).toBeEnabled();
  return popup;
}

async function approve(popup: Page): Promise<void> {
  const closed = popup.waitForEvent('close');
  await popup.getByRole('button', { name: 'Approve' }).click();
  await closed; // the app closes the popup once it has the answer
}

const principal = (page: Page) => page.getByTestId('ii-principal');
const expiresAt = async (page: Page) =>
  Number(await page.getByTestId('ii-expiry').getAttribute('data-expires-at'));

test('signs in through the popup; the verified chain survives a reload; sign out', async ({
  page,
  idp,
}) => {
  await openIdentity(page, idp.url);
  await expect(page.getByTestId('ii-signed-out')).toBeVisible();
  const popup = await openPopup(page);
  await expect(popup.getByRole('status')).toContainText(new URL(page.url()).origin);
  await approve(popup);

  await expect(principal(page)).toHaveText(PRINCIPAL);
  const who = await principal(page).textContent();
  // The app asks for 8 hours.
  const until = await expiresAt(page);
  expect(until - Date.now()).toBeGreaterThan(7.9 * 3_600_000);
  expect(until - Date.now()).toBeLessThanOrEqual(8 * 3_600_000);
  await expect(page.getByTestId('ii-expiry')).not.toBeEmpty();
  // Kept in IndexedDB, not in localStorage.
  expect(await page.evaluate(() => localStorage.length)).toBe(0);

  await page.reload();
  await expect(principal(page)).toHaveText(who!);
  expect(await expiresAt(page)).toBe(until);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByTestId('ii-signed-out')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('ii-signed-out')).toBeVisible();
});

test('a refusal in the provider is reported and nothing is kept', async ({ page, idp }) => {
  await openIdentity(page, idp.url);
  const popup = await openPopup(page);
  const closed = popup.waitForEvent('close');
  await popup.getByRole('button', { name: 'Refuse' }).click();
  await closed;
  await expect(page.getByRole('alert')).toContainText(
    'The identity provider said: The person refused.',
  );
  await expect(page.getByTestId('ii-signed-out')).toBeVisible();
});

test('closing the popup ends the sign-in; a second click while it is open opens no other window', async ({
  page,
  idp,
}) => {
  await openIdentity(page, idp.url);
  const popup = await openPopup(page);
  let popups = 0;
  page.on('popup', () => popups++);
  await page.getByRole('button', { name: 'Sign in with Internet Identity' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Finish signing in' })).toBeVisible();
  expect(popups).toBe(0);

  await popup.close();
  await expect(page.getByRole('alert')).toContainText('The sign-in window was closed');
  await expect(page.getByTestId('ii-signed-out')).toBeVisible();
  // And the next click starts afresh.
  await approve(await openPopup(page));
  await expect(principal(page)).toHaveText(PRINCIPAL);
  await expect(page.getByRole('alert')).toHaveText('');
});

test('messages from another origin or another window are ignored', async ({ page, idp }) => {
  await openIdentity(page, idp.url);
  const popup = await openPopup(page);
  const otherOrigin = idp.url.replace('127.0.0.1', 'localhost');
  expect(new URL(otherOrigin).origin).not.toBe(new URL(idp.url).origin);

  // Another window at the provider's own origin, and one at another origin, both opened by the app.
  for (const base of [idp.url, otherOrigin]) {
    const opened = page.waitForEvent('popup');
    await page.evaluate((url) => void window.open(url, '_blank'), `${base}/forge.html`);
    const forger = await opened;
    await expect(forger.getByRole('status')).toHaveText('Sent 3 forged messages.');
    await forger.close();
  }
  // The app's own window posting to itself.
  await page.evaluate(() => {
    window.postMessage({ kind: 'authorize-client-failure', text: 'forged' }, '*');
  });
  // The popup itself, navigated to another origin: the right window, the wrong origin.
  // (navigated by its own script: an address-bar navigation would cut it off from its opener).
  const navigate = (url: string) => popup.evaluate((to) => void location.assign(to), url);
  await navigate(`${otherOrigin}/forge.html`);
  await expect(popup.getByRole('status')).toHaveText('Sent 3 forged messages.');

  await expect(page.getByRole('status').filter({ hasText: 'Finish signing in' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveText('');

  // Back at the provider, the same popup finishes the sign-in.
  await navigate(`${idp.url}/#authorize`);
  await expect(popup.getByRole('button', { name: 'Approve' })).toBeEnabled();
  await approve(popup);
  await expect(principal(page)).toHaveText(PRINCIPAL);
  await expect(page.getByRole('alert')).toHaveText('');
});

test('an expired sign-in is shown as expired and renews to the same principal', async ({
  page,
  shortIdp,
}) => {
  await openIdentity(page, shortIdp.url);
  await approve(await openPopup(page));
  await expect(principal(page)).toHaveText(PRINCIPAL);
  const who = await principal(page).textContent();
  const first = await expiresAt(page);
  expect(first - Date.now()).toBeLessThanOrEqual(3_000);

  await page.waitForTimeout(Math.max(0, first - Date.now()) + 200);
  await page.reload();
  await expect(page.getByTestId('ii-expired')).toContainText(who!);

  await approve(await openPopup(page, 'Renew'));
  await expect(principal(page)).toHaveText(who!);
  expect(await expiresAt(page)).toBeGreaterThan(first);
});

test('a signed call and query to a canister return the verified reply naming the principal', async ({
  page,
  idp,
}) => {
  await openIdentity(page, idp.url);
  await approve(await openPopup(page));
  const who = await principal(page).textContent();
  expect(who).toMatch(PRINCIPAL);
  await page.getByLabel('Canister id').fill('rdmx6-jaaaa-aaaaa-aaadq-cai');
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  await expect(page.getByTestId('ii-reply-kind')).toHaveText('Verified reply to the call:');
  await expect(page.getByTestId('ii-reply-text')).toHaveText(`Hello, ${who}!`);
  // A query: the reply's node signature checked under the key from a verified /subnet certificate.
  await page.getByRole('button', { name: 'Query', exact: true }).click();
  await expect(page.getByTestId('ii-reply-kind')).toHaveText('Verified reply to the query:');
  await expect(page.getByTestId('ii-reply-text')).toHaveText(`Hello, ${who}!`);
  await expect(page.getByTestId('ii-call-error')).toHaveCount(0);

  // A method the canister refuses is reported, and no reply is shown.
  await page.getByLabel('Method').fill('other');
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  await expect(page.getByTestId('ii-call-error')).toBeVisible();
  await expect(page.getByTestId('ii-reply-text')).toHaveCount(0);
});

/** The person answers the one waiting request of `client` in the inbox. */
async function answer(page: Page, client: string): Promise<void> {
  await page.getByRole('link', { name: /^Requests/ }).click();
  const card = page
    .locator('article')
    .filter({ has: page.getByRole('button', { name: `Approve ${client}'s request` }) });
  await expect(card).toHaveCount(1);
  await card.getByRole('button', { name: `Approve ${client}'s request` }).click();
  await expect(card).toHaveCount(0);
}

test('a company receives the principal with a proof the SDK verifies (ic_principal)', async ({
  page,
  context,
  idp,
}) => {
  await openIdentity(page, idp.url);
  await approve(await openPopup(page));
  await expect(principal(page)).toHaveText(PRINCIPAL);
  const who = (await principal(page).textContent())!;
  await controlled(page);
  // The companies' requests come from a second page of the device's origin (playwright/rp.ts).
  const wire = await context.newPage();
  await wire.goto('/');
  await controlled(wire);
  const transport = pageTransport(wire);
  const shop = await makeRp('Shop', transport);
  const courier = await makeRp('Courier', transport, { trusted: true });
  for (const [rp, name] of [
    [shop, 'Shop'],
    [courier, 'Courier'],
  ] as const) {
    const registered = rp.client.register();
    await answer(page, name);
    await registered;
  }
  const keyA = shop.client.requestKeyA(['ic_principal']);
  await expect(
    page
      .getByText(/pass your Internet Identity principal \(proven\) to partner companies/i)
      .first(),
  ).toBeVisible();
  await answer(page, 'Shop');
  const keyB = shop.client.requestKeyB((await keyA).key_a, courier.audience, ['ic_principal']);
  await answer(page, 'Shop');
  const { key_b } = await keyB;

  const challenge = 'courier-challenge-from-playwright';
  const release = courier.client.exchangeKeyB(key_b, { icChallenge: challenge });
  // The card says in plain words what the company learns.
  await page.getByRole('link', { name: /^Requests/ }).click();
  await expect(page.getByTestId('ic-principal-value')).toHaveText(who);
  await expect(
    page.getByText(`Your Internet Identity principal for ${new URL(page.url()).origin}, proven`),
  ).toBeVisible();
  await answer(page, 'Courier');
  const { fields } = await release;
  const verified = await verifyPrincipalProof(fields.ic_principal, {
    challenge,
    clientId: 'courier',
    now: Date.now(),
  });
  expect(verified.principal).toBe(who);
  expect(verified.provider).toBe(idp.url);
});
