import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import {
  createClientIdentity,
  DiscoClient,
  startPairing,
  type ClientIdentity,
} from '../src/sdk/index.js';
import { systemClock } from '../src/protocol/encoding/index.js';
import { codeOf } from '../src/testing/code_of.js';
import {
  test,
  expect,
  createDevice,
  addField,
  approveRequest,
  controlled,
  DIST,
} from './fixtures.js';
import { portsOf, startStack, type Stack } from './stack.js';

/**
 * Faults while a company waits for the person (issue #11, "Faults, with nothing lost"): the
 * service worker stopped again and again, the page reloaded mid-approval, the relay killed during
 * a pairing and during a waiting request. Each ends with one definite answer for the company and
 * one permission and one activity record on the device: nothing lost, nothing twice.
 */

async function deviceOnline(page: Page, url: string) {
  await createDevice(page, undefined, `${url}/`);
  await addField(page, 'Postal address', {
    'Street and number': '1 Infinite Loop',
    'City or town': 'Cupertino',
    Country: 'USA',
  });
  await expect(page.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 20_000 });
}

/** Pairs a new company with the device and registers it (the person approves). */
async function pairedClient(page: Page, relay: string, name: string) {
  const identity: ClientIdentity = await createClientIdentity({ name, clock: systemClock });
  const pairing = await startPairing(relay, identity);
  const paired = pairing.wait();
  await page.getByRole('link', { name: 'Connect', exact: true }).click();
  await page.getByLabel('Pairing code').fill(pairing.uid);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const { device, transport } = await paired;
  const client = new DiscoClient({
    clientId: name.toLowerCase().replace(/\s+/g, '-'),
    clientName: name,
    clientSecret: `${name}-secret-`.padEnd(40, '0'),
    isTrusted: false,
    identity,
    device,
    transport,
  });
  const registered = client.register(pairing.challenge);
  await approveRequest(page, name);
  await registered;
  return client;
}

/**
 * Counts what the device shows for the company: permissions, and key A approvals in Activity.
 * Callers poll it: the company can have its answer before the page has re-read its records (on
 * a loaded machine the count ran before Connections showed the new permission).
 */
async function recordsOf(page: Page, name: string) {
  await page.getByRole('link', { name: 'Connections' }).click();
  const grants = await page
    .locator('[data-testid^="client-"]')
    .filter({ hasText: name })
    .locator('[data-testid^="grant-"]')
    .count();
  await page.getByRole('link', { name: 'Activity' }).click();
  await expect(page.locator('[data-testid^="activity-"]').first()).toBeVisible();
  const approvals = await page
    .locator('[data-testid^="activity-"]')
    .filter({ hasText: name })
    .filter({ hasText: /partner companies later/ })
    .filter({ hasText: 'Approved' })
    .count();
  return { grants, approvals };
}

test.describe('on one stack', () => {
  let stack: Stack;
  test.beforeAll(async () => {
    stack = await startStack();
  });
  test.afterAll(async () => {
    await stack?.stop();
  });

  test('the service worker stopped again and again while a company waits and the person approves: one answer, one permission', async ({
    page,
  }) => {
    await deviceOnline(page, stack.app);
    const client = await pairedClient(page, stack.relay, 'Chaos Shop');
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    let stops = 0;
    let chaos = true;
    const stopping = (async () => {
      while (chaos) {
        await cdp.send('ServiceWorker.stopAllWorkers').catch(() => undefined);
        stops++;
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    try {
      let waits = 0;
      const keyA = client.requestKeyA(['address'], { onPending: () => waits++ });
      await expect.poll(() => waits, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
      await expect.poll(() => stops, { timeout: 30_000 }).toBeGreaterThan(4);
      await approveRequest(page, 'Chaos Shop');
      expect((await keyA).scope).toBe('address');
    } finally {
      chaos = false;
      await stopping;
    }
    expect(stops).toBeGreaterThan(4);
    await expect
      .poll(() => recordsOf(page, 'Chaos Shop'), { timeout: 20_000 })
      .toEqual({ grants: 1, approvals: 1 });
  });

  test('the device app leaves the moment it paired: the company asks again for its keys, and pairs', async ({
    page,
  }) => {
    await deviceOnline(page, stack.app);
    const identity = await createClientIdentity({ name: 'Blink Shop', clock: systemClock });
    // The company's first look at the device's keys finds it gone (as a phone switching apps
    // would be); the device comes back once that look has failed.
    const misses: number[] = [];
    let left = false;
    const fetchFn: typeof fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      const pinning = url.endsWith('/.well-known/disco-configuration');
      if (pinning && !left) {
        left = true;
        await page.goto('about:blank');
      }
      const res = await fetch(input, init);
      if (pinning && res.status !== 200) {
        misses.push(res.status);
        if (misses.length === 1) void page.goto(stack.app);
      }
      return res;
    };
    const pairing = await startPairing(stack.relay, identity, { fetchFn });
    const paired = pairing.wait();
    await page.getByRole('link', { name: 'Connect', exact: true }).click();
    await page.getByLabel('Pairing code').fill(pairing.uid);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    const { device } = await paired;
    expect(misses.length).toBeGreaterThanOrEqual(1);
    expect(device.deviceId).toBe((await paired).paired.device_id);
  });

  test('the page reloaded the moment the person clicks Approve: the company gets one definite answer', async ({
    page,
  }) => {
    await deviceOnline(page, stack.app);
    const client = await pairedClient(page, stack.relay, 'Reload Shop');
    const keyA = client.requestKeyA(['address']);
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: /^Requests/ })
      .click();
    const approve = page.getByRole('button', { name: "Approve Reload Shop's request" });
    await expect(approve).toHaveCount(1, { timeout: 20_000 });
    // Click and reload without waiting for the click's work to finish.
    await approve.click({ noWaitAfter: true });
    await page.reload();
    await expect(page.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 20_000 });
    // Either the approval was written (the card is gone) or it was not (the card is back):
    // never half. If it is back, the person approves again.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: /^Requests/ })
      .click();
    if ((await approve.count()) === 1) await approve.click();
    expect((await keyA).scope).toBe('address');
    await expect
      .poll(() => recordsOf(page, 'Reload Shop'), { timeout: 20_000 })
      .toEqual({ grants: 1, approvals: 1 });
  });
});

test('the relay killed during a pairing: the company gets a typed error, and the device comes back by itself', async ({
  page,
}) => {
  // Its own stack(s) start inside the test: 15–20 s each on a loaded 2-core machine.
  test.setTimeout(120_000);
  const first = await startStack();
  const ports = portsOf(first);
  let second: Stack | undefined;
  try {
    await deviceOnline(page, first.app);
    const me = await createClientIdentity({ name: 'Killed Pairing', clock: systemClock });
    const pairing = await startPairing(first.relay, me);
    const waited = codeOf(pairing.wait({ timeoutMs: 60_000 }));
    first.kill();
    expect(await waited).toBe('ERR_TRANSPORT_FAILED');
    second = await startStack({}, ports);
    await expect(page.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 40_000 });
  } finally {
    await first.stop();
    await second?.stop();
  }
});

test('the relay killed while a company waits for the person: the answer arrives once the relay is back', async ({
  page,
}) => {
  // Its own stack(s) start inside the test: 15–20 s each on a loaded 2-core machine.
  test.setTimeout(120_000);
  const first = await startStack();
  const ports = portsOf(first);
  let second: Stack | undefined;
  try {
    await deviceOnline(page, first.app);
    const client = await pairedClient(page, first.relay, 'Patient Shop');
    let waits = 0;
    let misses = 0;
    const keyA = client.requestKeyA(['address'], {
      onPending: () => waits++,
      onUnreachable: () => misses++,
    });
    await expect.poll(() => waits, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    first.kill();
    await expect.poll(() => misses, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    second = await startStack({}, ports);
    await expect(page.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 40_000 });
    await approveRequest(page, 'Patient Shop');
    expect((await keyA).scope).toBe('address');
    await expect
      .poll(() => recordsOf(page, 'Patient Shop'), { timeout: 20_000 })
      .toEqual({ grants: 1, approvals: 1 });
  } finally {
    await first.stop();
    await second?.stop();
  }
});

test('a new version of the service worker installed while two companies wait: each request is answered once', async ({
  page,
}) => {
  // Its own stack(s) start inside the test: 15–20 s each on a loaded 2-core machine.
  test.setTimeout(120_000);
  // A private copy of the build, so the test can publish a "new version" of the worker.
  const dir = await mkdtemp(join(tmpdir(), 'disco-update-'));
  await cp(DIST, dir, { recursive: true });
  const stack = await startStack({ DISCO_APP_DIR: dir });
  try {
    await deviceOnline(page, stack.app);
    await controlled(page);
    // Two companies, each with a poll held in the worker: between them the old worker always has
    // one in flight, and Chromium lets the new one take over only once it has none (it waited
    // out the whole two minutes of this test until the old worker released its holds).
    const waiting = async (name: string) => {
      const client = await pairedClient(page, stack.relay, name);
      let waits = 0;
      const keyA = client.requestKeyA(['address'], { onPending: () => waits++ });
      await expect.poll(() => waits, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
      return { keyA }; // wrapped: an async function returning the promise would wait for it
    };
    const { keyA } = await waiting('Update Shop');
    const { keyA: otherKeyA } = await waiting('Other Shop');

    const sw = await readFile(join(dir, 'sw.js'), 'utf8');
    await writeFile(join(dir, 'sw.js'), `${sw}\n// next version\n`);
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
    const banner = page.getByTestId('update-banner');
    await expect(banner).toContainText('A new version of Disco is available', { timeout: 20_000 });
    await Promise.all([
      page.waitForEvent('load'),
      banner.getByRole('button', { name: 'Update now' }).click(),
    ]);
    await controlled(page);
    await expect(page.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 20_000 });

    await approveRequest(page, 'Update Shop');
    await approveRequest(page, 'Other Shop');
    expect((await keyA).scope).toBe('address');
    expect((await otherKeyA).scope).toBe('address');
    for (const name of ['Update Shop', 'Other Shop'])
      await expect
        .poll(() => recordsOf(page, name), { timeout: 20_000 })
        .toEqual({ grants: 1, approvals: 1 });
  } finally {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
