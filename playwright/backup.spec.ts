import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { test, expect, createDevice, addField, controlled, PASSPHRASE } from './fixtures.js';

async function identityOf(page: Page) {
  await page.getByRole('link', { name: 'Settings' }).click();
  return {
    id: await page.getByTestId('device-id').textContent(),
    fingerprint: await page.getByTestId('device-fingerprint').textContent(),
  };
}

async function exportBackup(page: Page, passphrase = PASSPHRASE): Promise<string> {
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('Your passphrase').fill(passphrase);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download backup' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^disco-backup-\d{4}-\d{2}-\d{2}\.json$/);
  await expect(page.getByText('Backup saved.')).toBeVisible();
  return download.path();
}

test('export → import into a fresh profile gives the same vault and device id', async ({
  page,
  browser,
  baseURL,
}) => {
  await createDevice(page);
  await addField(page, 'Full name', { 'Full name': 'Ada Lovelace' });
  await addField(page, 'Postal address', {
    'Street and number': '12 St James Square',
    'City or town': 'London',
    Country: 'UK',
  });
  const original = await identityOf(page);
  const file = await exportBackup(page);
  const text = await readFile(file, 'utf8');
  expect(text).not.toContain('Lovelace');
  expect(JSON.parse(text)).toMatchObject({ format: 'disco-backup', version: 1 });

  const fresh = await browser.newContext({ baseURL: baseURL! });
  const other = await fresh.newPage();
  await other.goto('/');
  await other.getByLabel('Backup file').setInputFiles(file);
  await other.getByLabel('Passphrase of the backup').fill(PASSPHRASE);
  await other.getByRole('button', { name: 'Restore from backup' }).click();
  await expect(other.getByRole('heading', { name: 'My data' })).toBeVisible();
  await expect(other.getByTestId('entry-name')).toContainText('Ada Lovelace');
  await expect(other.getByTestId('entry-address')).toContainText('12 St James Square, London, UK');
  expect(await identityOf(other)).toEqual(original);
  // the restored device signs with the same key: its configuration serves the same public key.
  // On a first visit the service worker may take control of the page a moment after it loads;
  // until then the same URL goes to the server, which does not answer it.
  await controlled(other);
  const config = (await other.evaluate(
    async () => (await fetch('/disco/.well-known/disco-configuration')).json() as Promise<unknown>,
  )) as {
    device_id: string;
  };
  expect(config.device_id).toBe(original.id);
  await fresh.close();
});

test('a wrong passphrase or a damaged file changes nothing', async ({ page, browser, baseURL }) => {
  await createDevice(page);
  await addField(page, 'Full name', { 'Full name': 'Original Owner' });
  // exporting with a passphrase that is not the device's is refused
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('Your passphrase').fill('not my passphrase at all');
  await page.getByRole('button', { name: 'Download backup' }).click();
  await expect(page.getByRole('alert')).toContainText(
    'That passphrase does not open the device keys',
  );
  const file = await exportBackup(page);

  // a second device with its own data and identity
  const ctx = await browser.newContext({ baseURL: baseURL! });
  const other = await ctx.newPage();
  await createDevice(other, 'another device passphrase');
  await addField(other, 'Full name', { 'Full name': 'Second Device' });
  const before = await identityOf(other);

  await other.getByLabel('Backup file').setInputFiles(file);
  await other.getByLabel('Passphrase of the backup').fill('wrong passphrase, sorry');
  await other.getByRole('button', { name: 'Restore from backup' }).click();
  await expect(other.getByRole('alert')).toContainText(
    'Wrong passphrase, or the backup file was changed or damaged. Nothing on this device was changed.',
  );

  // one base64url character of the ciphertext changed (to another one: 'A' stays 'A' otherwise)
  const damaged = (await readFile(file, 'utf8')).replace(
    /"ciphertext": "(.{20})(.)/,
    (_m, keep: string, was: string) => `"ciphertext": "${keep}${was === 'A' ? 'B' : 'A'}`,
  );
  await other.getByLabel('Backup file').setInputFiles({
    name: 'damaged.json',
    mimeType: 'application/json',
    buffer: Buffer.from(damaged),
  });
  await other.getByLabel('Passphrase of the backup').fill(PASSPHRASE);
  await other.getByRole('button', { name: 'Restore from backup' }).click();
  await expect(other.getByRole('alert')).toContainText('Nothing on this device was changed.');

  await other.getByLabel('Backup file').setInputFiles({
    name: 'half.json',
    mimeType: 'application/json',
    buffer: Buffer.from(damaged.slice(0, 200)),
  });
  await other.getByRole('button', { name: 'Restore from backup' }).click();
  await expect(other.getByRole('alert')).toContainText('not a readable Disco backup');

  await other.reload();
  expect(await identityOf(other)).toEqual(before);
  await other.getByRole('link', { name: 'My data' }).click();
  await expect(other.getByTestId('entry-name')).toContainText('Second Device');
  await ctx.close();
});
