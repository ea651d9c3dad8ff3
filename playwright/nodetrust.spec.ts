import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClientIdentity, startPairing } from '../src/sdk/index.js';
import { systemClock } from '../src/protocol/encoding/index.js';
import { b64u } from '../src/protocol/encoding/index.js';
import { peerIdOfEd25519, peerLabel } from '../src/protocol/nodetrust/index.js';
import { codeOf } from '../src/testing/code_of.js';
import type { Page } from '@playwright/test';
import { test, expect, createDevice, addField, approveRequest } from './fixtures.js';
import { startStack, type Stack } from './stack.js';

// Issue #10 end to end with the real parts `npm start` runs: our DNS server, two proof servers,
// the issue server and Debian's pebble as the CA. The device app in Chromium gets a certificate in
// Settings; a company (the SDK, here in the test process) pairs and sees it verified against
// pebble's root, which the stack writes to <data dir>/nodetrust/ca-root.pem.
interface Stored {
  keys: CryptoKeyPair;
  chain: string[];
  notBefore: number;
  notAfter: number;
}

/**
 * The device certificate's IndexedDB record, read in the page; with `due`, first rewritten so
 * that two thirds of its lifetime look gone (the chain and key stay as they are).
 */
async function certificateRecord(page: Page, due = false): Promise<Stored> {
  return page.evaluate(async (due) => {
    const db = await new Promise<IDBDatabase>((ok, fail) => {
      const r = indexedDB.open('disco');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(new Error(String(r.error)));
    });
    const name = db.objectStoreNames[0]!;
    const key = ['keys', 'device_certificate'];
    const request = <T>(r: IDBRequest<T>) =>
      new Promise<T>((ok, fail) => {
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(new Error(String(r.error)));
      });
    let record = (await request(db.transaction(name).objectStore(name).get(key))) as Stored;
    if (due) {
      record = {
        ...record,
        notBefore: Date.now() - 2 * 86_400_000,
        notAfter: Date.now() + 3_600_000,
      };
      await request(db.transaction(name, 'readwrite').objectStore(name).put(record, key));
    }
    db.close();
    return record;
  }, due);
}

let stack: Stack;
let dataDir: string;
test.beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'disco-nodetrust-'));
  stack = await startStack({ DISCO_DATA_DIR: dataDir });
});
test.afterAll(async () => {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('the device gets a certificate in Settings; a company pairs and sees it verified, then refuses it once removed', async ({
  page,
}) => {
  test.setTimeout(180_000);
  expect(stack.output()).toMatch(/DNS {2}127\.0\.0\.1:\d+ {2}zone nodetrust\.disco\.test/);
  await createDevice(page, undefined, `${stack.app}/`);
  await expect(page.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 20_000 });

  await page.getByRole('link', { name: 'Settings' }).first().click();
  const get = page.getByTestId('device-certificate-get');
  await expect(get).toHaveText('Get a device certificate');
  await get.click();
  const name = page.getByTestId('device-certificate-name');
  await expect(name).toHaveText(/^p[a-z2-7]{61}\.nodetrust\.disco\.test$/, { timeout: 120_000 });
  await expect(page.getByTestId('device-certificate-issuer')).toHaveText(/Pebble/);
  await expect(page.getByTestId('device-certificate-expiry')).not.toBeEmpty();
  await expect(get).toHaveText('Renew now');

  // The name is the one derived from the device's own Ed25519 identity key.
  const jwk = JSON.parse((await page.getByTestId('signing-jwk').textContent()) ?? '{}') as {
    x: string;
  };
  const expected = `${peerLabel(peerIdOfEd25519(b64u.decode(jwk.x)))}.nodetrust.disco.test`;
  await expect(name).toHaveText(expected);

  // The private key is a non-extractable P-256 key in IndexedDB.
  const key = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((ok, fail) => {
      const r = indexedDB.open('disco');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(new Error(String(r.error)));
    });
    const name = db.objectStoreNames[0]!;
    const record = await new Promise<{ keys: CryptoKeyPair }>((ok, fail) => {
      const r = db.transaction(name).objectStore(name).get(['keys', 'device_certificate']);
      r.onsuccess = () => ok(r.result as { keys: CryptoKeyPair });
      r.onerror = () => fail(new Error(String(r.error)));
    });
    db.close();
    const k = record.keys.privateKey;
    return { extractable: k.extractable, curve: (k.algorithm as EcKeyAlgorithm).namedCurve };
  });
  expect(key).toEqual({ extractable: false, curve: 'P-256' });

  const root = await readFile(join(dataDir, 'nodetrust', 'ca-root.pem'), 'utf8');
  const pairWith = async (company: string) => {
    const me = await createClientIdentity({ name: company, clock: systemClock });
    const pairing = await startPairing(stack.relay, me, {
      trustAnchors: [root],
      requireDeviceCertificate: true,
    });
    const paired = pairing.wait();
    paired.catch(() => undefined);
    await page.getByRole('link', { name: 'Connect', exact: true }).click();
    await page.getByLabel('Pairing code').fill(pairing.uid);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(page.getByRole('heading', { name: `Paired with ${company}` })).toBeVisible();
    return paired;
  };

  const { paired } = await pairWith('Certified Shop');
  expect(paired.certificate).toEqual({
    name: expected,
    issuer: expect.stringMatching(/^Pebble Intermediate CA/),
    notAfter: expect.any(Date),
  });
  expect(paired.certificate!.notAfter.getTime()).toBeGreaterThan(Date.now());

  // Renewal: the stored certificate made to look due (two thirds of its life gone); after a
  // reload the app renews it by itself, without a click.
  const chain = (await certificateRecord(page, true)).chain[0];
  await page.reload();
  await expect
    .poll(async () => (await certificateRecord(page)).chain[0], { timeout: 60_000 })
    .not.toBe(chain);
  expect((await certificateRecord(page)).notAfter - Date.now()).toBeGreaterThan(86_400_000);

  // Removed on the device: a company that requires a certificate refuses the device.
  await page.getByRole('link', { name: 'Settings' }).first().click();
  await page.getByTestId('device-certificate-remove').click();
  await expect(get).toHaveText('Get a device certificate');
  await expect(name).toHaveCount(0);
  expect(await codeOf(pairWith('Strict Shop'))).toBe('ERR_DEVICE_CERT_REQUIRED');
});

test('the demo shop shows the device as certified by the CA (npm start gives it pebble’s root)', async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  await createDevice(page, undefined, `${stack.app}/`);
  await addField(page, 'Postal address', {
    'Street and number': '742 Evergreen Terrace',
    'City or town': 'Springfield',
    Country: 'US',
  });
  await expect(page.getByTestId('relay-badge')).toHaveText(/Online/, { timeout: 20_000 });
  await page.getByRole('link', { name: 'Settings' }).first().click();
  await page.getByTestId('device-certificate-get').click();
  const name = page.getByTestId('device-certificate-name');
  await expect(name).toHaveText(/^p[a-z2-7]{61}\./, { timeout: 120_000 });
  const certName = (await name.textContent()) ?? '';

  const shopContext = await browser.newContext();
  const shop = await shopContext.newPage();
  await shop.goto(`${stack.shop}/`);
  await shop.getByRole('button', { name: 'Connect with Disco' }).click();
  await expect(shop.getByTestId('pairing-uid')).toHaveText(/^\s*[0-9A-Z]{4}-[0-9A-Z]{4}\s*$/);
  const uid = ((await shop.getByTestId('pairing-uid').textContent()) ?? '').trim();
  await page.getByRole('link', { name: 'Connect', exact: true }).click();
  await page.getByLabel('Pairing code').fill(uid);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Paired with Demo Shop' })).toBeVisible();
  await approveRequest(page, 'Demo Shop'); // connect
  await approveRequest(page, 'Demo Shop'); // key A
  // the shop's own SDK verified the chain against pebble's root, the name and the signature
  const certified = `Device certified as ${certName} by Pebble Intermediate CA`;
  await expect(shop.getByTestId('device-certified')).toContainText(certified, { timeout: 20_000 });
  await shopContext.close();
});
