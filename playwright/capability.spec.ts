import { test, expect, createDevice, addField } from './fixtures.js';
import { startStack, type Stack } from './stack.js';
import { startNotes } from '../src/demo/notes/notes.js';
import { postNote } from './notes_page.js';

/**
 * Capability certificates on the real stack (issue #8, docs/wire/certificates.md): the device app, the
 * relay and the notes demo, each its own origin and process (the notes demo in the test
 * process). The person opens the notes app's "Sign in with Disco" link in the device app,
 * approves with a shorter lifetime and their name, the certificate goes back by the return
 * path, the notes server accepts a note (having fetched the device's revocation list from the
 * relay's cache, which asked the device through the tunnel); then the person revokes in
 * Connections, the device publishes its list to the relay, and the next note is refused.
 */
const quiet = { info: () => {}, error: () => {} };

test.describe('capability certificates on the real stack', () => {
  let stack: Stack;
  let notes: Awaited<ReturnType<typeof startNotes>>;
  test.beforeAll(async () => {
    stack = await startStack();
    // The server asks the device for its list before every note (at most every 2 s), instead
    // of once its copy is a minute old: the test sees a revocation without waiting.
    notes = await startNotes({
      relayUrl: stack.relay,
      deviceUrl: stack.app,
      log: quiet,
      revocationPullAfterMs: 0,
    });
  });
  test.afterAll(async () => {
    await notes?.stop();
    await stack?.stop();
  });
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form
  test.afterEach(async ({}, testInfo) => {
    if (testInfo.status !== testInfo.expectedStatus)
      await testInfo.attach('stack output', { body: stack.output(), contentType: 'text/plain' });
  });

  test('sign in by link, approve, a note accepted; revoke, the next note refused', async ({
    browser,
  }) => {
    test.setTimeout(120_000);
    const device = await (await browser.newContext()).newPage();
    await createDevice(device, undefined, `${stack.app}/`);
    await addField(device, 'Full name', { 'Full name': 'Ada Lovelace' });
    await expect(device.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 20_000 });

    const notesPage = await (await browser.newContext()).newPage();
    await notesPage.goto(`${notes.url}/`);
    await notesPage.getByRole('button', { name: 'Sign in with Disco' }).click();
    // the page fills the link in once the notes server made the request
    const requestLink = notesPage.getByTestId('request-link');
    await expect(requestLink).toHaveAttribute(
      'href',
      new RegExp(`^${stack.app}/#/capability\\?request_uri=`),
    );
    const link = await requestLink.getAttribute('href');

    // The link opens the request in the device app's Requests.
    await device.goto(link!);
    const card = device.getByTestId('capability-request');
    await expect(card).toBeVisible({ timeout: 20_000 });
    await expect(card.getByRole('heading', { level: 2 })).toHaveText(
      'Demo Notes asks for a certificate to act for you',
    );
    await expect(card.getByTestId('cap-origin')).toHaveText(/Disco fetched the request from it/);
    // The icon came inside the request: shown from its own bytes, nothing fetched for it.
    await expect(card.locator('img')).toHaveAttribute('src', /^blob:/);
    expect(
      await card.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth),
    ).toBeGreaterThan(0);
    await expect(card).toContainText(`may create anything under ${notes.url}/notes/`);
    // The empty state counts the capability request too (it said "No requests waiting" beside it).
    await expect(device.getByText('No requests waiting.')).toHaveCount(0);
    // …and so does the Requests badge, wherever the person goes meanwhile.
    const requestsLink = device
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: /^Requests/ });
    await device.getByRole('link', { name: 'My data', exact: true }).click();
    await expect(requestsLink).toHaveAccessibleName('Requests (1)');
    await requestsLink.click();
    await card.getByLabel('For how long').selectOption({ label: '1 day' });
    await card.getByRole('checkbox', { name: /Full name/ }).check();
    await card.getByRole('button', { name: "Approve Demo Notes's request" }).click();

    // The certificate goes back by the app's return path…
    await device.waitForURL((url) => url.href.startsWith(`${notes.url}/return?certificate=`));
    // …and the notes page is signed in, with the name the person chose to give.
    await expect(notesPage.getByTestId('notes-status')).toHaveText('Signed in with Disco.', {
      timeout: 10_000,
    });
    await expect(notesPage.getByTestId('account')).toContainText('Ada Lovelace');

    // Decided: Requests is empty again. The device app runs again (the notes server asks it
    // for its list through the relay).
    await device.goto(`${stack.app}/#/inbox`);
    await expect(device.getByText('No requests waiting.')).toBeVisible({ timeout: 20_000 });
    await expect(device.getByTestId('capability-request')).toHaveCount(0);
    await device.getByRole('link', { name: 'Connections' }).click();
    await expect(device.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 20_000 });
    const issued = device.getByTestId('issued-certificate');
    await expect(issued).toHaveCount(1);
    await expect(issued).toContainText('Demo Notes');
    await expect(issued).toContainText('Full name');

    await notesPage.getByLabel('New note').fill('Buy oat milk');
    await notesPage.getByRole('button', { name: 'Add note' }).click();
    await expect(notesPage.getByTestId('notes')).toContainText('Buy oat milk', { timeout: 15_000 });

    // Revoke in Connections: the device publishes its list to the relay's cache (the cache's
    // copy is fresh, so only that publication can tell it); the server's next pull sees it.
    await issued.getByRole('button', { name: "Revoke Demo Notes's certificate" }).click();
    await issued.getByRole('button', { name: 'Yes, revoke' }).click();
    await expect(issued).toContainText('Revoked');
    await expect
      .poll(async () => (await postNote(notesPage, 'after the revocation')).code, {
        timeout: 20_000,
        intervals: [2_500],
      })
      .toBe('ERR_CAP_REVOKED');

    await device.getByRole('link', { name: 'Activity' }).click();
    await expect(device.getByText(/^Was given a certificate/)).toHaveCount(1);
    await expect(device.getByText(/^Certificate revoked/)).toHaveCount(1);
  });

  test("revoke all of an app's certificates: the app key is on the list, the next note refused", async ({
    browser,
  }) => {
    test.setTimeout(120_000);
    const device = await (await browser.newContext()).newPage();
    await createDevice(device, undefined, `${stack.app}/`);
    await expect(device.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 20_000 });

    const notesPage = await (await browser.newContext()).newPage();
    await notesPage.goto(`${notes.url}/`);
    await notesPage.getByRole('button', { name: 'Sign in with Disco' }).click();
    const requestLink = notesPage.getByTestId('request-link');
    await expect(requestLink).toHaveAttribute('href', /#\/capability\?request_uri=/);
    await device.goto((await requestLink.getAttribute('href'))!);
    const card = device.getByTestId('capability-request');
    await expect(card).toBeVisible({ timeout: 20_000 });
    await card.getByRole('button', { name: "Approve Demo Notes's request" }).click();
    await device.waitForURL((url) => url.href.startsWith(`${notes.url}/return?certificate=`));
    await expect(notesPage.getByTestId('notes-status')).toHaveText('Signed in with Disco.', {
      timeout: 10_000,
    });
    await notesPage.getByLabel('New note').fill('Before');
    await notesPage.getByRole('button', { name: 'Add note' }).click();
    await expect(notesPage.getByTestId('notes')).toContainText('Before', { timeout: 15_000 });

    await device.goto(`${stack.app}/#/inbox`);
    await device.getByRole('link', { name: 'Connections' }).click();
    await expect(device.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 20_000 });
    const app = device.getByTestId('revoke-app');
    await expect(app).toHaveCount(1);
    await app.getByRole('button', { name: "Revoke all of Demo Notes's certificates" }).click();
    await expect(app).toContainText('can no longer act for you');
    await app.getByRole('button', { name: 'Yes, revoke all' }).click();
    await expect(device.getByText("All of Demo Notes's certificates were revoked.")).toBeVisible();
    await expect(device.getByTestId('issued-certificate')).toContainText('Revoked');
    // nothing left in force: no button to revoke all, and none for the one certificate
    await expect(device.getByTestId('revoke-app')).toHaveCount(0);
    await expect
      .poll(async () => (await postNote(notesPage, 'after revoking all')).code, {
        timeout: 20_000,
        intervals: [2_500],
      })
      .toBe('ERR_CAP_REVOKED');

    await device.getByRole('link', { name: 'Activity' }).click();
    await expect(device.getByText(/^All of its certificates revoked/)).toHaveCount(1);
  });
});

test.describe('web+disco: links (the manifest protocol handler)', () => {
  let stack: Stack;
  let notes: Awaited<ReturnType<typeof startNotes>>;
  test.beforeAll(async () => {
    stack = await startStack();
    notes = await startNotes({ relayUrl: stack.relay, deviceUrl: stack.app, log: quiet });
  });
  test.afterAll(async () => {
    await notes?.stop();
    await stack?.stop();
  });

  test('the built manifest registers web+disco on the handler route', async ({ request }) => {
    const res = await request.get(`${stack.app}/manifest.webmanifest`);
    expect(res.ok()).toBe(true);
    const manifest = (await res.json()) as { protocol_handlers?: unknown };
    expect(manifest.protocol_handlers).toEqual([{ protocol: 'web+disco', url: '/?disco_link=%s' }]);
  });

  test('the handler route opens the request card; a bad link shows an error and stores nothing', async ({
    browser,
  }) => {
    test.setTimeout(90_000);
    const device = await (await browser.newContext()).newPage();
    await createDevice(device, undefined, `${stack.app}/`);

    // Chromium headless does not launch protocol handlers: go where the manifest points it.
    const bad = 'web+disco:capability?request_uri=https%3A%2F%2Fevil.example%2F&x=1';
    await device.goto(`${stack.app}/?disco_link=${encodeURIComponent(bad)}`);
    await expect(
      device.getByText('This is not a Disco certificate request link. Nothing was saved.'),
    ).toBeVisible({ timeout: 20_000 });
    await expect(device).toHaveURL(`${stack.app}/#/inbox`);
    await expect(device.getByTestId('capability-request')).toHaveCount(0);
    await expect(device.getByText('No requests waiting.')).toBeVisible();

    const notesPage = await (await browser.newContext()).newPage();
    await notesPage.goto(`${notes.url}/`);
    await notesPage.getByRole('button', { name: 'Sign in with Disco' }).click();
    const protocolLink = notesPage.getByTestId('request-protocol-link');
    await expect(protocolLink).toHaveAttribute('href', /^web\+disco:capability\?request_uri=/);
    const link = await protocolLink.getAttribute('href');

    // What the browser does on a launch: %s replaced by the escaped web+disco: URL.
    await device.goto(`${stack.app}/?disco_link=${encodeURIComponent(link!)}`);
    const card = device.getByTestId('capability-request');
    await expect(card).toBeVisible({ timeout: 20_000 });
    await expect(card.getByRole('heading', { level: 2 })).toHaveText(
      'Demo Notes asks for a certificate to act for you',
    );
    await expect(card.getByTestId('cap-origin')).toHaveText(/Disco fetched the request from it/);
    await expect(device).toHaveURL(`${stack.app}/#/inbox`);
    await expect(device.getByText('No requests waiting.')).toHaveCount(0);
  });
});
