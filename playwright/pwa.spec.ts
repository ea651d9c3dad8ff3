import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../playwright.config.js';
import { serveApp } from '../src/server/app/serve_app.js';
import { listen } from '../src/server/listen.js';
import { test, expect, createDevice, addField, controlled, DIST } from './fixtures.js';

test('the app starts offline and keeps the vault', async ({ page, context }) => {
  await createDevice(page);
  await addField(page, 'Full name', { 'Full name': 'Grace Hopper' });
  await controlled(page);
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'My data' })).toBeVisible();
  await expect(page.getByTestId('entry-name')).toContainText('Grace Hopper');
  // the engine answers offline too: it needs nothing but IndexedDB
  const status = await page.evaluate(
    async () => (await fetch('/disco/.well-known/disco-configuration')).status,
  );
  expect(status).toBe(200);
  await context.setOffline(false);
});

test('Chromium reports no installability errors', async ({ appUrl }) => {
  const profile = await mkdtemp(join(tmpdir(), 'disco-install-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(appUrl);
    await controlled(page);
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: Array<{ errorId: string }>;
    };
    expect(installabilityErrors).toEqual([]);
    const manifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: unknown[] };
    expect(manifest.url).toMatch(/manifest\.webmanifest$/);
    expect(manifest.errors).toEqual([]);
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
});

test('a new version shows "update available" and reloads without losing data', async ({ page }) => {
  // A private copy of the build, so this test can publish a "new version" of the worker.
  const dir = await mkdtemp(join(tmpdir(), 'disco-update-'));
  await cp(DIST, dir, { recursive: true });
  const server = await listen(serveApp(dir), 0);
  try {
    await createDevice(page, undefined, `${server.url}/`);
    await addField(page, 'Full name', { 'Full name': 'Katherine Johnson' });
    await controlled(page);
    const version = () =>
      page.evaluate(
        () =>
          new Promise<string>((resolve) => {
            const channel = new MessageChannel();
            channel.port1.onmessage = (e: MessageEvent<{ version: string }>) =>
              resolve(e.data.version);
            navigator.serviceWorker.controller!.postMessage({ type: 'GET_VERSION' }, [
              channel.port2,
            ]);
          }),
      );
    const before = await version();

    const sw = await readFile(join(dir, 'sw.js'), 'utf8');
    expect(sw).toContain(before);
    await writeFile(join(dir, 'sw.js'), sw.replaceAll(before, `${before}-next`));
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());

    const banner = page.getByTestId('update-banner');
    await expect(banner).toContainText('A new version of Disco is available');
    await Promise.all([
      page.waitForEvent('load'),
      banner.getByRole('button', { name: 'Update now' }).click(),
    ]);
    await controlled(page);
    expect(await version()).toBe(`${before}-next`);
    await expect(page.getByTestId('entry-name')).toContainText('Katherine Johnson');
    await expect(page.getByTestId('update-banner')).toHaveCount(0);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('the service worker is a classic script: no import() and no import.meta in it', async () => {
  // It is registered as a classic script (module workers are not everywhere yet); one dynamic
  // import in code it reaches once pulled in a helper that reads import.meta, and the worker
  // never evaluated: every request through it failed.
  const sw = await readFile(join(DIST, 'sw.js'), 'utf8');
  expect(sw.length).toBeGreaterThan(10_000);
  expect(sw).not.toMatch(/\bimport\s*\(/);
  expect(sw).not.toMatch(/\bimport\.meta\b/);
});
