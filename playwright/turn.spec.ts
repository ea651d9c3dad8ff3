import { createSocket } from 'node:dgram';
import type { Page } from '@playwright/test';
import { peerIdOf } from '../src/protocol/tunnel/index.js';
import { test, expect, createDevice } from './fixtures.js';
import { startStack, type Stack } from './stack.js';

// The device app in Chromium without any WebRTC flag, as a person's everyday browser: the stack's
// TURN server is what lets it reach the relay's Node peer on 127.0.0.1 (playwright.config.ts).

/** Keeps every RTCPeerConnection the page makes, so the test can read its stats. */
function recordPeerConnections(page: Page) {
  return page.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const made: RTCPeerConnection[] = [];
    (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = made;
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        made.push(this);
      }
    };
  });
}

/** The type of the local candidate of every succeeded candidate pair on the page. */
function selectedLocalCandidateTypes(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    const types: string[] = [];
    for (const pc of pcs) {
      const stats = await pc.getStats();
      stats.forEach((s: { type: string; state?: string; localCandidateId?: string }) => {
        if (s.type !== 'candidate-pair' || s.state !== 'succeeded' || !s.localCandidateId) return;
        const local = stats.get(s.localCandidateId) as { candidateType?: string } | undefined;
        types.push(local?.candidateType ?? 'unknown');
      });
    }
    return types;
  });
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** The device's peer id, from the device id its Settings page shows. */
async function devicePeerId(page: Page): Promise<string> {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Settings' })
    .click();
  return peerIdOf((await page.getByTestId('device-id').textContent()) ?? '');
}

test.describe('an everyday browser, with the local TURN server', () => {
  let stack: Stack;
  test.beforeAll(async () => {
    stack = await startStack();
  });
  test.afterAll(async () => {
    await stack?.stop();
  });

  test('is Online, and its data channel goes through TURN only (companies never see its addresses)', async ({
    page,
  }) => {
    await recordPeerConnections(page);
    await createDevice(page, undefined, `${stack.app}/`);
    // "Online" only after the device's own request came back through the relay's tunnel
    await expect(page.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 20_000 });
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Connect', exact: true })
      .click();
    await expect(page.getByTestId('relay-status')).toContainText('companies can reach this device');
    // the selected pair shows in the stats a moment after the channel opened
    await expect
      .poll(async () => (await selectedLocalCandidateTypes(page)).length, { timeout: 15_000 })
      .toBeGreaterThan(0);
    const types = await selectedLocalCandidateTypes(page);
    expect(new Set(types)).toEqual(new Set(['relay']));
  });
});

test.describe('an everyday browser, when the TURN server is down', () => {
  let stack: Stack;
  test.beforeAll(async () => {
    // The relay hands out credentials for a TURN server that does not answer (a closed port),
    // with relay-only ICE: signalling works, no data channel can open.
    const deadPort = await freeUdpPort();
    stack = await startStack({
      DISCO_RELAY_TURN_URLS: `turn:127.0.0.1:${deadPort}?transport=udp`,
      DISCO_RELAY_TURN_SECRET: 'a-secret-for-a-server-that-is-down',
    });
  });
  test.afterAll(async () => {
    await stack?.stop();
  });

  test('says Unreachable, not Online, and explains; companies get a clear 504', async ({
    page,
  }) => {
    await createDevice(page, undefined, `${stack.app}/`);
    await expect(page.getByTestId('relay-badge')).toHaveText(/Unreachable/, { timeout: 40_000 });
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Connect', exact: true })
      .click();
    await expect(page.getByTestId('relay-status')).toContainText('companies cannot reach');
    await expect(page.getByRole('button', { name: 'Check again' })).toBeVisible();
    const peerId = await devicePeerId(page);
    const res = await fetch(`${stack.relay}/p/${peerId}/disco/.well-known/disco-configuration`);
    expect(res.status).toBe(504);
    expect(((await res.json()) as { code: string }).code).toBe('ERR_DEVICE_UNREACHABLE');
  });
});
