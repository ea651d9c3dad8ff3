import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClientIdentity, startPairing } from '../src/sdk/index.js';
import { systemClock } from '../src/protocol/encoding/index.js';
import { test, expect, createDevice } from './fixtures.js';
import { startStack } from './stack.js';
import { launchWithCamera, y4mOf } from './fake_camera.js';

test('the person scans the company’s QR code with the camera; the code confirms the company’s certificate', async () => {
  test.setTimeout(120_000);
  const stack = await startStack();
  const dir = await mkdtemp(join(tmpdir(), 'disco-qr-'));
  try {
    const me = await createClientIdentity({ name: 'Camera Shop', clock: systemClock });
    const pairing = await startPairing(stack.relay, me);
    expect(pairing.qr).toMatch(/^web\+disco:pair\?uid=/);
    const video = join(dir, 'qr.y4m');
    await writeFile(video, y4mOf(pairing.qr));
    const browser = await launchWithCamera(video);
    try {
      const context = await browser.newContext();
      await context.grantPermissions(['camera'], { origin: stack.app });
      const page = await context.newPage();
      const consoleLines: string[] = [];
      page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));

      await createDevice(page, undefined, `${stack.app}/`);
      await expect(page.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 20_000 });
      const paired = pairing.wait();
      paired.catch(() => undefined); // awaited below; a failure above must not surface as this one
      await page.getByRole('link', { name: 'Connect', exact: true }).click();
      await page.getByRole('button', { name: 'Scan a QR code' }).click();
      // Starting the fake camera and decoding in qr-scanner's worker can take a while on a loaded
      // 2-core machine; an error on the page (camera refused, relay refused) ends the wait early.
      const outcome = page
        .getByRole('heading', { name: 'Paired with Camera Shop' })
        .or(page.getByRole('alert'));
      await expect(outcome, `page console:\n${consoleLines.join('\n')}`).toBeVisible({
        timeout: 60_000,
      });
      expect(
        await page.getByRole('alert').count(),
        await page
          .getByRole('alert')
          .allTextContents()
          .then((t) => t.join(' ')),
      ).toBe(0);
      await expect(
        page.getByText("The QR code confirmed this company's certificate."),
      ).toBeVisible();
      expect((await paired).paired.uid).toBe(pairing.uid);
    } finally {
      await browser.close();
    }
  } finally {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
