import type { BrowserContext, Page } from '@playwright/test';
import { decodeJwt } from 'jose';
import { test, expect, createDevice, addField, controlled } from './fixtures.js';
import { makeRp, pageTransport, tamperingTransport } from './rp.js';
import type { Transport } from '../src/sdk/index.js';
import { codeOf } from '../src/testing/code_of.js';

/** The device page (the person) and a second page of the same origin that carries RP traffic. */
async function setUp(page: Page, context: BrowserContext) {
  await createDevice(page);
  await addField(page, 'Postal address', {
    'Street and number': '221B Baker Street',
    'Postal code (optional)': 'NW1 6XE',
    'City or town': 'London',
    Country: 'United Kingdom',
  });
  await addField(page, 'E-mail', { 'E-mail': 'sherlock@example.org' });
  await controlled(page);
  const wire = await context.newPage();
  await wire.goto('/');
  await controlled(wire);
  const transport = pageTransport(wire);
  const shop = await makeRp('Shop', transport);
  const courier = await makeRp('Courier', transport, { trusted: true, kind: 'RSA' });
  return { transport, shop, courier, wire };
}

/** The person answers the one waiting request of `client` in the inbox. */
async function answer(page: Page, client: string, approve: boolean, remember = false) {
  await page.getByRole('link', { name: /^Requests/ }).click();
  const card = page
    .locator('article')
    .filter({ has: page.getByRole('button', { name: `Approve ${client}'s request` }) });
  await expect(card).toHaveCount(1);
  if (remember) await card.getByLabel(`Always allow ${client} to ask for this`).check();
  await card
    .getByRole('button', { name: `${approve ? 'Approve' : 'Refuse'} ${client}'s request` })
    .click();
  await expect(card).toHaveCount(0);
}

/** The parts of a service worker's global scope these tests touch (Node typings lack WebWorker). */
interface SwScope {
  clients: { matchAll(opts?: unknown): Promise<object[]> };
  registration: { getNotifications(): Promise<Array<{ title: string }>> };
}

test('the seed scenario: shop registers, key A, key B for the courier; the courier gets the address', async ({
  page,
  context,
}) => {
  const { shop, courier } = await setUp(page, context);

  const registered = shop.client.register();
  await answer(page, 'Shop', true);
  expect(await registered).toMatchObject({ status: 'registered', client_id: 'shop' });

  const keyA = shop.client.requestKeyA(['address']);
  await expect(
    page.getByText(/asks permission to pass your .* to partner companies later/i).first(),
  ).toBeVisible();
  await answer(page, 'Shop', true);
  const { key_a } = await keyA;

  const keyB = shop.client.requestKeyB(key_a, courier.audience, ['address']);
  await answer(page, 'Shop', true);
  const { key_b } = await keyB;

  const courierRegistered = courier.client.register();
  await answer(page, 'Courier', true);
  await courierRegistered;

  const release = courier.client.exchangeKeyB(key_b);
  // the consent screen shows the values that will leave the device
  await page.getByRole('link', { name: /^Requests/ }).click();
  await expect(page.getByText('221B Baker Street', { exact: false })).toBeVisible();
  await answer(page, 'Courier', true);
  const { fields } = await release;
  expect(fields).toEqual({
    address: {
      street_address: '221B Baker Street',
      postal_code: 'NW1 6XE',
      locality: 'London',
      country: 'United Kingdom',
    },
  });

  // the person sees who got what, under which grant
  await page.getByRole('link', { name: 'Activity' }).click();
  const released = page
    .locator('[data-testid^="activity-"]')
    .filter({ hasText: 'Courier' })
    .first();
  await expect(released).toContainText(/address/i);
  await page.getByRole('link', { name: 'Connections' }).click();
  await expect(page.getByTestId('client-shop')).toBeVisible();
  await expect(page.getByTestId('client-courier')).toBeVisible();

  // a replayed key B is refused
  expect(await codeOf(courier.client.exchangeKeyB(key_b))).toBe('ERR_KEY_B_USED');
});

test('a refusal reaches the RP as access_denied and nothing is issued', async ({
  page,
  context,
}) => {
  const { shop } = await setUp(page, context);
  // the refusal is pushed to the company at once: its handler is attached before the click
  const registered = codeOf(shop.client.register());
  await answer(page, 'Shop', false);
  expect(await registered).toBe('ERR_ACCESS_DENIED');
  await page.getByRole('link', { name: 'Connections' }).click();
  await expect(page.getByTestId('client-shop')).toHaveCount(0);
});

test('a request left pending survives a reload of the device app, then the approval goes through', async ({
  page,
  context,
}) => {
  const { shop } = await setUp(page, context);
  const registered = shop.client.register();
  await page.getByRole('link', { name: /^Requests/ }).click();
  await expect(page.getByRole('button', { name: "Approve Shop's request" })).toBeVisible();
  await page.reload();
  await answer(page, 'Shop', true);
  expect(await registered).toMatchObject({ status: 'registered' });
});

test('revoking a grant stops key A; "always allow" answers without asking; wrong audience and tampering are refused', async ({
  page,
  context,
}) => {
  const { shop, courier, transport } = await setUp(page, context);
  const other = await makeRp('Other Courier', transport, { trusted: true });
  for (const rp of [shop, courier, other]) {
    const p = rp.client.register();
    await answer(page, rp === shop ? 'Shop' : rp === courier ? 'Courier' : 'Other Courier', true);
    await p;
  }
  // "always allow" for key A
  const first = shop.client.requestKeyA(['address']);
  await answer(page, 'Shop', true, true);
  const { key_a } = await first;
  const second = await shop.client.requestKeyA(['address']);
  expect(second.key_a).not.toBe(key_a);
  // one permission per company: the new key A replaced the first
  expect(await codeOf(shop.client.requestKeyB(key_a, courier.audience, ['address']))).toBe(
    'ERR_GRANT_REVOKED',
  );

  // key B for the courier, presented by another trusted client
  const keyB = shop.client.requestKeyB(second.key_a, courier.audience, ['address']);
  await answer(page, 'Shop', true);
  const { key_b } = await keyB;
  expect(await codeOf(other.client.exchangeKeyB(key_b))).toBe('ERR_AUDIENCE_MISMATCH');

  // a byte changed in flight, either way
  const tamperedShop = await makeRp('Shop', tamperingTransport(transport, 'request'), {
    identity: shop.identity,
  });
  expect(await codeOf(tamperedShop.client.requestKeyA(['address']))).toBe(
    'ERR_JWE_DECRYPTION_FAILED',
  );
  const tamperedAnswer = await makeRp('Shop', tamperingTransport(transport, 'answer'), {
    identity: shop.identity,
  });
  expect(await codeOf(tamperedAnswer.client.requestKeyA(['address']))).toMatch(
    /^ERR_(JWE_DECRYPTION_FAILED|JWE_MALFORMED|RESPONSE_UNTRUSTED)$/,
  );

  // The tampered answer's key A was issued all the same (by the rule), and replaced the last one,
  // as any new key A does. The rule answers again: Connections shows that newest permission (it
  // showed the replaced one, read before the rule answered), and revoking it stops its key A.
  const third = await shop.client.requestKeyA(['address']);
  expect(await codeOf(shop.client.requestKeyB(second.key_a, courier.audience, ['address']))).toBe(
    'ERR_GRANT_REVOKED',
  );
  await page.getByRole('link', { name: 'Connections' }).click();
  const grant = page.getByTestId(`grant-${decodeJwt(third.key_a).jti!}`);
  await expect(grant).toBeVisible();
  await expect(page.locator('[data-testid^="grant-"]')).toHaveCount(1);
  await grant.getByRole('button', { name: /^Revoke Shop's permission/ }).click();
  await grant.getByRole('button', { name: 'Yes, revoke' }).click();
  await expect(grant).toContainText('Withdrawn');
  expect(await codeOf(shop.client.requestKeyB(third.key_a, courier.audience, ['address']))).toBe(
    'ERR_GRANT_REVOKED',
  );
  // and removing the client stops everything it does
  await page.getByRole('button', { name: 'Remove Shop' }).click();
  await page.getByRole('button', { name: 'Yes, remove' }).click();
  // the removal has landed once the card is gone (on a loaded machine the request came first)
  await expect(page.getByTestId('client-shop')).toHaveCount(0);
  expect(await codeOf(shop.client.requestKeyA(['address']))).toBe('ERR_CLIENT_UNKNOWN');
});

test('an expired key B is refused', async ({ page, context }) => {
  const { shop, courier, transport } = await setUp(page, context);
  for (const [rp, name] of [
    [shop, 'Shop'],
    [courier, 'Courier'],
  ] as const) {
    const p = rp.client.register();
    await answer(page, name, true);
    await p;
  }
  const a = shop.client.requestKeyA(['address']);
  await answer(page, 'Shop', true);
  const b = shop.client.requestKeyB((await a).key_a, courier.audience, ['address']);
  await answer(page, 'Shop', true);
  const { key_b } = await b;
  // Six minutes pass, on the device (its service worker) and at the courier.
  const skew = 6 * 60 * 1000;
  const [worker] = context.serviceWorkers();
  expect(worker).toBeDefined();
  await worker!.evaluate((ms) => {
    const real = Date.now.bind(Date);
    Date.now = () => real() + ms;
  }, skew);
  const late = await makeRp('Courier', transport, {
    trusted: true,
    identity: courier.identity,
    clock: { now: () => Date.now() + skew },
  });
  expect(await codeOf(late.client.exchangeKeyB(key_b))).toBe('ERR_JWT_EXPIRED');
});

test('a request that arrives while no Disco window is visible raises a system notification', async ({
  page,
  context,
}) => {
  const { shop } = await setUp(page, context);
  await context.grantPermissions(['notifications']);
  const [worker] = context.serviceWorkers();
  // Headless Chromium reports every tab as visible, so a backgrounded app cannot exist here:
  // the one double in this test makes the worker see its windows as hidden. Everything else
  // (the engine, the pending record, showNotification) is the real service worker.
  await worker!.evaluate(() => {
    const sw = self as unknown as SwScope;
    const real = sw.clients.matchAll.bind(sw.clients);
    const hidden = (c: object) =>
      new Proxy(c, {
        get: (target, key) => {
          if (key === 'visibilityState') return 'hidden';
          const v = Reflect.get(target, key) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    sw.clients.matchAll = async (opts?: unknown) => (await real(opts)).map(hidden);
  });
  const registered = shop.client.register();
  await expect
    .poll(() =>
      worker!.evaluate(async () =>
        (await (self as unknown as SwScope).registration.getNotifications()).map((n) => n.title),
      ),
    )
    .toEqual(['Shop wants to connect to your device']);
  await answer(page, 'Shop', true);
  await registered;
});

test('without notification permission, nothing is shown, and the open inbox updates by itself', async ({
  page,
  context,
}) => {
  const { shop } = await setUp(page, context);
  await page.getByRole('link', { name: /^Requests/ }).click();
  await expect(page.getByText('No requests waiting.')).toBeVisible();
  const registered = shop.client.register();
  // no reload, no navigation: the worker's PENDING_CHANGED message brings the request in
  await expect(page.getByRole('button', { name: "Approve Shop's request" })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Requests (1)' })).toBeVisible();
  const [worker] = context.serviceWorkers();
  expect(
    await worker!.evaluate(
      async () => (await (self as unknown as SwScope).registration.getNotifications()).length,
    ),
  ).toBe(0);
  await page.getByRole('button', { name: "Approve Shop's request" }).click();
  await registered;
});

/** Counts what a company sends, and keeps the device's answers, on its way to the device. */
function counting(inner: Transport) {
  const answers: string[] = [];
  const transport: Transport = {
    get: (path, signal) => inner.get(path, signal),
    post: async (path, body, signal) => {
      const res = await inner.post(path, body, signal);
      answers.push(res.body);
      return res;
    },
  };
  return { transport, answers };
}

test('the answer is pushed: the poll held by the service worker returns at the click (issue #16)', async ({
  page,
  context,
}) => {
  const { transport } = await setUp(page, context);
  const { transport: counted, answers } = counting(transport);
  const shop = await makeRp('Shop', counted);
  const registered = shop.client.register();
  await answer(page, 'Shop', true);
  expect(await registered).toMatchObject({ status: 'registered' });
  // The worker holds polls (long_poll in its pending answer), and the one poll the SDK sent
  // after the request was answered by the click: were the push broken, that poll would run out
  // its hold (5 s) as "pending" and a second one would collect the answer.
  expect((JSON.parse(answers[0]!) as { long_poll?: number }).long_poll).toBe(5);
  expect(answers).toHaveLength(2);
});

test('a company that gives up withdraws its request: the card goes, Activity says so (issue #16)', async ({
  page,
  context,
}) => {
  const { shop } = await setUp(page, context);
  const registered = shop.client.register();
  await answer(page, 'Shop', true);
  await registered;
  await page.getByRole('link', { name: /^Requests/ }).click();
  const stop = new AbortController();
  const asked = codeOf(shop.client.requestKeyA(['address'], { signal: stop.signal }));
  const approve = page.getByRole('button', { name: "Approve Shop's request" });
  await expect(approve).toBeVisible();
  stop.abort();
  expect(await asked).toBe('ERR_ABORTED');
  expect(await Promise.all(shop.client.withdrawals)).toEqual([undefined]);
  // no reload, no navigation: the open inbox drops the card by itself
  await expect(approve).toHaveCount(0);
  await page.getByRole('link', { name: 'Activity' }).click();
  await expect(page.locator('[data-testid^="activity-"]').first()).toContainText(
    'Withdrawn by the company',
  );
});
