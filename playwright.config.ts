import { defineConfig } from '@playwright/test';

/** Debian's Chromium (ENVIRONMENT.md): never a downloaded browser. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // No WebRTC flags: the device page reaches the relay's Node peer as an everyday browser does,
  // through the stack's TURN server (src/server/turn/, relay-only ICE), on a namespace whose
  // LAN-like veth pair stands in for a real machine's network interface (scripts/test.mjs).
];
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'playwright',
  globalSetup: './playwright/global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: process.env.CI ? 2 : 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
  },
});
