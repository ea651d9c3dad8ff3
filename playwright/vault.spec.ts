import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../playwright.config.js';
import { test, expect, createDevice, addField } from './fixtures.js';

test('vault create, edit, delete, with clear validation, survives reloads', async ({ page }) => {
  await createDevice(page);
  await expect(page.getByText('Nothing stored yet.')).toBeVisible();

  await addField(page, 'Full name', { 'Full name': 'Ada Lovelace' });
  await addField(page, 'E-mail', { 'E-mail': 'ada@example' }, { saved: false });
  await expect(page.getByText('Enter an e-mail address like name@example.org.')).toBeVisible();
  await expect(page.getByLabel('E-mail', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('E-mail', { exact: true }).fill('ada@example.org');
  await page.getByRole('button', { name: 'Save' }).click();
  await addField(page, 'Postal address', {
    'Street and number': '12 St James Square',
    'City or town': 'London',
    'Postal code (optional)': 'SW1Y 4JH',
    Country: 'United Kingdom',
  });
  await addField(page, 'Other (your own label)', { 'What is it?': 'Shoe size', Value: '38' });

  const entries = page.getByRole('list', { name: 'Stored information' });
  await expect(entries.getByRole('listitem')).toHaveCount(4);
  await expect(page.getByTestId('entry-address')).toContainText(
    '12 St James Square, SW1Y 4JH London, United Kingdom',
  );

  await page.reload();
  await expect(entries.getByRole('listitem')).toHaveCount(4);
  await expect(page.getByTestId('entry-email')).toContainText('ada@example.org');

  // edit
  await page.getByRole('button', { name: 'Edit E-mail' }).click();
  await page.getByLabel('E-mail', { exact: true }).fill('ada@analytical.engine.org');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('entry-email')).toContainText('ada@analytical.engine.org');

  // delete, with a confirmation, and a cancel that keeps it
  await page.getByRole('button', { name: 'Delete Shoe size' }).click();
  await page.getByRole('button', { name: 'Keep it' }).click();
  await expect(entries.getByRole('listitem')).toHaveCount(4);
  await page.getByRole('button', { name: 'Delete Shoe size' }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await expect(entries.getByRole('listitem')).toHaveCount(3);

  // a browser restart is a new page on the same profile: reload covers the storage path
  await page.reload();
  await expect(entries.getByRole('listitem')).toHaveCount(3);
  await expect(page.getByTestId('entry-email')).toContainText('ada@analytical.engine.org');
  await expect(page.getByText('Shoe size')).toHaveCount(0);
});

test('cancelling an edit changes nothing', async ({ page }) => {
  await createDevice(page);
  await addField(page, 'Phone', { Phone: '+44 20 7946 0958' });
  await page.getByRole('button', { name: 'Edit Phone' }).click();
  await page.getByLabel('Phone', { exact: true }).fill('not a number');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText(/Enter a phone number with 6 to 15 digits/)).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.reload();
  await expect(page.getByTestId('entry-phone_number')).toContainText('+44 20 7946 0958');
});

test('the vault and keys survive a browser restart', async ({ appUrl }) => {
  const profile = await mkdtemp(join(tmpdir(), 'disco-restart-'));
  const launch = () =>
    chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
      baseURL: appUrl,
    });
  try {
    let context = await launch();
    let page = context.pages()[0] ?? (await context.newPage());
    await createDevice(page);
    await addField(page, 'Full name', { 'Full name': 'Hedy Lamarr' });
    await page.getByRole('link', { name: 'Settings' }).click();
    const id = await page.getByTestId('device-id').textContent();
    await context.close();

    context = await launch();
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto('/');
    await expect(page.getByTestId('entry-name')).toContainText('Hedy Lamarr');
    await page.getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByTestId('device-id')).toHaveText(id!);
    await context.close();
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
});
