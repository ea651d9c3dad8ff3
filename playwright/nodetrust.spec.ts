import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClientIdentity, startPairing } from '../src/sdk/index.js';
import { systemClock } from '../src/protocol/encoding/index.js';
import { b64u } from '../src/protocol/encoding/index.js';
import { peerIdOfEd25519, peerLabel } from '../src/protocol/nodetrust/index.js';
import { codeOf } from '../src/testing/code_of.js';
import { test, expect, createDevice } from './fixtures.js';
import { startStack, type Stack } from './stack.js';

// Issue #10 end to end with the real parts `npm start` runs: our DNS server, two proof servers,
// the issue server and Debian's pebble as the CA. The device app in Chromium gets a certificate in
// Settings; a company (the SDK, here in the test process) pairs and sees it verified against
// pebble's root, which the stack writes to <data dir>/nodetrust/ca-root.pem.
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
    const store = db.transaction(db.objectStoreNames[0]!).objectStore(db.objectStoreNames[0]!);
    const record = await new Promise<{ keys: CryptoKeyPair }>((ok, fail) => {
      const r = store.get(['keys', 'device_certificate']);
      r.onsuccess = () => ok(r.result as { keys: CryptoKeyPair });
      r.onerror = () => fail(new Error(String(r.error)));
    });
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

  // Removed on the device: a company that requires a certificate refuses the device.
  await page.getByRole('link', { name: 'Settings' }).first().click();
  await page.getByTestId('device-certificate-remove').click();
  await expect(get).toHaveText('Get a device certificate');
  await expect(name).toHaveCount(0);
  expect(await codeOf(pairWith('Strict Shop'))).toBe('ERR_DEVICE_CERT_REQUIRED');
});
