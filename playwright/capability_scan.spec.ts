import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { test, expect, createDevice } from './fixtures.js';
import { startStack, type Stack } from './stack.js';
import { launchWithCamera, y4mOf, y4mOfImage } from './fake_camera.js';
import { startNotes } from '../src/demo/notes/notes.js';
import { createRequest, ed25519Signer, requestLink } from '../src/protocol/certificates/index.js';
import { postNote } from './notes_page.js';

/**
 * Capability certificates by QR code (issue #8 "Browser"; docs/wire/certificates.md "Delivery"),
 * on the real stack, in Debian's Chromium with its fake camera: the device app's scanner (Connect
 * → "Scan a QR code") reads the code the notes demo shows on its sign-in page, from the image's
 * own pixels, and opens the request in Requests. Approve sends the certificate back by the
 * return path and the notes server accepts a note; Refuse leaves the notes app without one; a
 * code whose document was swapped, or another app's request under the notes origin, is shown as
 * not matching. One Chromium per test, its camera showing what that test scans.
 */
const quiet = { info: () => {}, error: () => {} };
/** qr-scanner decodes in a worker, from a fake camera, on a loaded 2-core machine. */
const SCAN_MS = 90_000;

/** The notes server's view of this page's session (`GET /api/state`). */
async function notesState(notes: Page) {
  return notes.evaluate(async () => {
    const res = await fetch('/api/state');
    return (await res.json()) as {
      signed_in: boolean;
      request: { link: string } | null;
      account: { fingerprint: string } | null;
    };
  });
}

test.describe('scanning an app’s certificate request with the camera', () => {
  let stack: Stack;
  let notes: Awaited<ReturnType<typeof startNotes>>;
  let dir: string;
  let video: string;
  let browser: Browser | undefined;
  let consoleLines: string[];

  test.beforeAll(async () => {
    stack = await startStack();
    notes = await startNotes({ relayUrl: stack.relay, deviceUrl: stack.app, log: quiet });
  });
  test.afterAll(async () => {
    await notes?.stop();
    await stack?.stop();
  });
  test.beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'disco-capscan-'));
    video = join(dir, 'camera.y4m');
    browser = await launchWithCamera(video);
    consoleLines = [];
  });
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form
  test.afterEach(async ({}, testInfo) => {
    if (testInfo.status !== testInfo.expectedStatus) {
      await testInfo.attach('stack output', { body: stack.output(), contentType: 'text/plain' });
      await testInfo.attach('device console', {
        body: consoleLines.join('\n'),
        contentType: 'text/plain',
      });
    }
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A new device in the camera browser, allowed to use the camera. */
  async function newDevice(): Promise<Page> {
    const context = await browser!.newContext();
    await context.grantPermissions(['camera'], { origin: stack.app });
    const device = await context.newPage();
    device.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    device.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
    await createDevice(device, undefined, `${stack.app}/`);
    return device;
  }

  /** The notes app's page, its "Sign in with Disco" QR code on screen. */
  async function notesSignIn(): Promise<Page> {
    const page = await (await browser!.newContext()).newPage();
    await page.goto(`${notes.url}/`);
    await page.getByRole('button', { name: 'Sign in with Disco' }).click();
    await expect(page.getByTestId('request-qr')).toHaveAttribute(
      'src',
      /^data:image\/svg\+xml;base64,/,
    );
    await expect(page.getByTestId('notes-status')).toHaveText(
      'Waiting for your device to approve…',
    );
    return page;
  }

  /**
   * Connect → "Scan a QR code": resolves once the scan led somewhere, a request card in Requests
   * or an error (camera refused, a request refused), which the caller then checks.
   */
  async function scan(device: Page): Promise<void> {
    await device.getByRole('link', { name: 'Connect', exact: true }).click();
    await device.getByRole('button', { name: 'Scan a QR code' }).click();
    const outcome = device
      .getByTestId('capability-request')
      .or(device.locator('p.error[role="alert"], [role="alert"] p.error'));
    await expect(outcome, `device console:\n${consoleLines.join('\n')}`).toBeVisible({
      timeout: SCAN_MS,
    });
    // A scanned request opens in Requests, and the link's query leaves the address bar.
    await expect(device).toHaveURL(`${stack.app}/#/inbox`);
  }

  test('scan the notes app’s QR code, approve: the certificate goes back and a note is accepted', async () => {
    test.setTimeout(240_000);
    const notesPage = await notesSignIn();
    // The camera sees the code as the notes page draws it.
    await writeFile(video, await y4mOfImage(notesPage, '[data-testid="request-qr"]'));
    const device = await newDevice();
    await expect(device.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 30_000 });

    await scan(device);
    const card = device.getByTestId('capability-request');
    await expect(card.getByRole('heading', { level: 2 })).toHaveText(
      'Demo Notes asks for a certificate to act for you',
    );
    // Fetched by the device from the notes origin, and its hash is the one in the code.
    await expect(card.getByTestId('cap-origin')).toHaveText(
      'Sent from this address: Disco fetched the request from it.',
    );
    await expect(card.getByTestId('cap-origin')).toHaveClass(/verified/);
    await expect(card).toContainText(`${notes.url}/`);
    await expect(card).toContainText(`may create anything under ${notes.url}/notes/`);
    await card.getByRole('button', { name: "Approve Demo Notes's request" }).click();

    // The return path: the device's tab goes to the notes app with the certificate, which takes it.
    await device.waitForURL((url) => url.href.startsWith(`${notes.url}/return?certificate=`), {
      timeout: 30_000,
    });
    await expect(device.getByRole('heading', { name: 'Signed in to Demo Notes' })).toBeVisible();
    await expect(notesPage.getByTestId('notes-status')).toHaveText('Signed in with Disco.', {
      timeout: 15_000,
    });
    const state = await notesState(notesPage);
    expect(state.signed_in).toBe(true);
    expect(state.request).toBeNull();

    // The device app runs again: the notes server asks it for its revocation list through the
    // relay before it accepts a note. Connections lists the certificate it issued.
    await device.goto(`${stack.app}/#/connections`);
    await expect(device.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 30_000 });
    const issued = device.getByTestId('issued-certificate');
    await expect(issued).toHaveCount(1);
    await expect(issued).toContainText('Demo Notes');

    await notesPage.getByLabel('New note').fill('Scanned, then signed');
    await notesPage.getByRole('button', { name: 'Add note' }).click();
    await expect(notesPage.getByTestId('notes')).toContainText('Scanned, then signed', {
      timeout: 20_000,
    });
    expect(await postNote(notesPage, 'and a second one')).toEqual({ status: 201 });
    await expect(notesPage.getByTestId('notes')).toContainText('and a second one', {
      timeout: 10_000,
    });
  });

  test('scan, refuse: the notes app gets no certificate and its notes are refused', async () => {
    test.setTimeout(240_000);
    const notesPage = await notesSignIn();
    await writeFile(video, await y4mOfImage(notesPage, '[data-testid="request-qr"]'));
    const device = await newDevice();

    await scan(device);
    const card = device.getByTestId('capability-request');
    await expect(card.getByRole('heading', { level: 2 })).toHaveText(
      'Demo Notes asks for a certificate to act for you',
    );
    await expect(device.getByText('No requests waiting.')).toHaveCount(0);
    await card.getByRole('button', { name: "Refuse Demo Notes's request" }).click();

    await expect(device.getByText("You refused Demo Notes's request.")).toBeVisible();
    await expect(card).toHaveCount(0);
    await expect(device.getByText('No requests waiting.')).toBeVisible();
    // Refused is gone for good, not hidden: it is not listed after a reload either.
    await device.reload();
    await expect(device.getByText('No requests waiting.')).toBeVisible({ timeout: 20_000 });
    await expect(device.getByTestId('capability-request')).toHaveCount(0);
    // Nothing went back: the device stayed on its own page.
    expect(new URL(device.url()).origin).toBe(stack.app);

    // The notes app is still waiting, signed out, and its server refuses a note.
    const state = await notesState(notesPage);
    expect(state.signed_in).toBe(false);
    expect(state.account).toBeNull();
    expect(state.request).not.toBeNull();
    await expect(notesPage.getByTestId('notes-status')).toHaveText(
      'Waiting for your device to approve…',
    );
    await expect(notesPage.getByRole('button', { name: 'Add note' })).toBeHidden();
    expect(await postNote(notesPage, 'not signed in')).toMatchObject({ code: 'ERR_WRONG_STATE' });
  });

  /** Another app's request, signed by its own key: `url`, `icon` and `ret` as the caller says. */
  async function anotherAppsRequest(claims: { name: string; origin: string }) {
    const pair = await crypto.subtle.generateKey('Ed25519', false, ['sign', 'verify']);
    return createRequest(
      {
        name: claims.name,
        description: 'Another app, not the notes server.',
        url: `${claims.origin}/`,
        subject: new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)),
        capabilities: [{ resource: `${claims.origin}/notes/*`, actions: ['create'] }],
        lifetime: 3600,
        fields: [],
        returnUrl: `${claims.origin}/return`,
        nonce: crypto.getRandomValues(new Uint8Array(16)),
      },
      ed25519Signer(pair.privateKey),
      Date.now(),
    );
  }

  test('a code whose request document was swapped for another app’s is refused, nothing saved', async () => {
    test.setTimeout(240_000);
    const notesPage = await notesSignIn();
    // The notes app's own code names its request_uri and that document's hash; this one keeps
    // the request_uri but carries the hash of another app's request: what the device fetches is
    // not the document the code names (docs/wire/certificates.md "Origin").
    const genuine = (await notesState(notesPage)).request!.link;
    const other = await anotherAppsRequest({ name: 'Other App', origin: 'http://127.0.0.1:9' });
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(other.bytes)));
    const swapped = requestLink(`${stack.app}/#/capability`, {
      kind: 'uri',
      uri: new URLSearchParams(genuine.slice(genuine.indexOf('?') + 1)).get('request_uri')!,
      hash,
    });
    expect(swapped).not.toBe(genuine);
    await writeFile(video, y4mOf(swapped));
    const device = await newDevice();

    await scan(device);
    await expect(device.locator('p.error[role="alert"]')).toHaveText(
      /does not match the request it points to/,
    );
    await expect(device.getByTestId('capability-request')).toHaveCount(0);
    await expect(device.getByRole('button', { name: /^Approve/ })).toHaveCount(0);
    await expect(device.getByText('No requests waiting.')).toBeVisible();
    const state = await notesState(notesPage);
    expect(state.signed_in).toBe(false);
  });

  test('another app’s request presented under the notes origin shows as not verified; its certificate is refused', async () => {
    test.setTimeout(240_000);
    const notesPage = await notesSignIn();
    // An impersonator's code: its own key, its own request, inline, claiming the notes app's
    // name and address. Only a request the device fetched from that origin is verified.
    const forged = await anotherAppsRequest({ name: 'Demo Notes', origin: notes.url });
    await writeFile(
      video,
      y4mOf(requestLink(`${stack.app}/#/capability`, { kind: 'inline', bytes: forged.bytes })),
    );
    const device = await newDevice();

    await scan(device);
    const card = device.getByTestId('capability-request');
    await expect(card.getByRole('heading', { level: 2 })).toHaveText(
      'Demo Notes asks for a certificate to act for you',
    );
    await expect(card.getByTestId('cap-origin')).toHaveText(
      'Not verified: the request only claims this address.',
    );
    await expect(card.getByTestId('cap-origin')).toHaveClass(/warning/);
    await expect(card.getByTestId('cap-origin')).not.toHaveClass(/verified/);

    // The app lets the person approve despite the warning; the certificate then goes only to
    // the claimed origin's return path, where the real notes app has no such sign-in.
    await card.getByRole('button', { name: "Approve Demo Notes's request" }).click();
    await device.waitForURL((url) => url.href.startsWith(`${notes.url}/return?certificate=`), {
      timeout: 30_000,
    });
    await expect(device.getByRole('heading', { name: 'Sign-in refused' })).toBeVisible();
    const state = await notesState(notesPage);
    expect(state.signed_in).toBe(false);
    expect(await postNote(notesPage, 'forged')).toMatchObject({ code: 'ERR_WRONG_STATE' });
  });
});
