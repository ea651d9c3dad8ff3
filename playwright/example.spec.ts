import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { test, expect, createDevice, addField, approveRequest } from './fixtures.js';
import { startStack, type Stack } from './stack.js';

/**
 * The integrator's example (examples/seed-flow.ts, the README's "For integrators" flow) run as an
 * integrator runs it: its own process, importing the built package `disco/sdk`, against the real
 * stack, with the person approving each step in the device app in Chromium.
 */
let stack: Stack;
test.beforeAll(async () => {
  stack = await startStack();
});
test.afterAll(async () => {
  await stack?.stop();
});

test('the whole seed flow from the README example: a shop, key A, key B, and its partner gets the address', async ({
  page,
}) => {
  await createDevice(page, undefined, `${stack.app}/`);
  await addField(page, 'Postal address', {
    'Street and number': '31 Spooner Street',
    'City or town': 'Quahog',
    Country: 'USA',
  });
  await expect(page.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 20_000 });

  const example = spawn(
    process.execPath,
    [resolve('node_modules/tsx/dist/cli.mjs'), 'examples/seed-flow.ts', stack.relay],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  example.stdout.on('data', (b: Buffer) => (out += b.toString()));
  example.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((ok) => example.once('exit', ok));
  try {
    await expect.poll(() => /PAIRING CODE (\S+)/.exec(out)?.[1], { timeout: 30_000 }).toBeTruthy();
    const code = /PAIRING CODE (\S+)/.exec(out)![1]!;

    await page.getByRole('link', { name: 'Connect', exact: true }).click();
    await page.getByLabel('Pairing code').fill(code);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Paired with Example Shop' })).toBeVisible();

    await approveRequest(page, 'Example Shop'); // connect
    await approveRequest(page, 'Example Shop'); // key A
    await approveRequest(page, 'Example Shop'); // key B for the partner
    await approveRequest(page, 'Example Courier'); // the partner connects
    await approveRequest(page, 'Example Courier'); // the release
    expect(await exited, out).toBe(0);
    const address = JSON.parse(/ADDRESS (.+)/.exec(out)![1]!) as Record<string, string>;
    expect(address).toMatchObject({ street_address: '31 Spooner Street', locality: 'Quahog' });
  } finally {
    example.kill();
  }
});
