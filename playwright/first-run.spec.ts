import { test, expect, createDevice, controlled } from './fixtures.js';

test('first run creates non-extractable keys and shows the device id', async ({ page }) => {
  await createDevice(page);
  await page.getByRole('link', { name: 'Settings' }).click();
  const fingerprint = page.getByTestId('device-fingerprint');
  await expect(fingerprint).toHaveText(/^([A-Z2-7]{4}-){7}[A-Z2-7]{4}$/);
  const deviceId = await page.getByTestId('device-id').textContent();
  expect(deviceId).toMatch(/^[A-Za-z0-9_-]{43}$/);

  // The keys in IndexedDB are real, non-extractable CryptoKeys, and the id is their thumbprint.
  const stored = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const r = indexedDB.open('disco');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error ?? new Error('indexedDB.open failed'));
    });
    const get = (key: [string, string]) =>
      new Promise<unknown>((res) => {
        const r = db.transaction('records').objectStore('records').get(key);
        r.onsuccess = () => res(r.result);
      });
    const keys = (await get(['keys', 'device'])) as { signing: CryptoKey; envelope: CryptoKey };
    const identity = (await get(['identity', 'device'])) as {
      signingJwk: JsonWebKey;
      deviceId: string;
    };
    let exported = 'refused';
    try {
      await crypto.subtle.exportKey('jwk', keys.signing);
      exported = 'exported!';
    } catch {
      /* expected */
    }
    const { crv, kty, x } = identity.signingJwk;
    const digest = await crypto.subtle.digest(
      'SHA-256',
      new TextEncoder().encode(JSON.stringify({ crv, kty, x })),
    );
    const thumb = btoa(String.fromCharCode(...new Uint8Array(digest)))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    return {
      signing: [keys.signing.algorithm.name, keys.signing.extractable],
      envelope: [keys.envelope.algorithm.name, keys.envelope.extractable],
      exported,
      thumbOk: thumb === identity.deviceId,
      deviceId: identity.deviceId,
    };
  });
  expect(stored.signing).toEqual(['Ed25519', false]);
  expect(stored.envelope).toEqual(['X25519', false]);
  expect(stored.exported).toBe('refused');
  expect(stored.thumbOk).toBe(true);
  expect(stored.deviceId).toBe(deviceId);

  // The public keys are shown as JWK, without private parts.
  await page.getByText('Public keys (JWK)').click();
  const jwk = JSON.parse((await page.getByTestId('signing-jwk').textContent()) ?? '{}') as Record<
    string,
    string
  >;
  expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
  expect(jwk.d).toBeUndefined();
});

test('a weak or mistyped passphrase is explained and nothing is created', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Choose a passphrase').fill('short');
  await page.getByLabel('Type it again').fill('short');
  await page.getByRole('button', { name: 'Create my device' }).click();
  await expect(page.getByText(/at least 12 characters/)).toBeVisible();
  await page.getByLabel('Choose a passphrase').fill('long enough passphrase');
  await page.getByLabel('Type it again').fill('long enough passphrasE');
  await page.getByRole('button', { name: 'Create my device' }).click();
  await expect(page.getByText('The two passphrases are different.')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Welcome to Disco' })).toBeVisible();
});

test('disco-configuration is answered by the service worker with the device keys', async ({
  page,
  request,
}) => {
  await createDevice(page);
  await controlled(page);
  const config = await page.evaluate(async () => {
    const res = await fetch('/disco/.well-known/disco-configuration');
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      body: (await res.json()) as Record<string, unknown>,
    };
  });
  expect(config.status).toBe(200);
  expect(config.type).toContain('application/json');
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByText('Public keys (JWK)').click();
  const deviceId = await page.getByTestId('device-id').textContent();
  const signing = JSON.parse((await page.getByTestId('signing-jwk').textContent()) ?? '{}') as {
    x: string;
  };
  const envelope = JSON.parse((await page.getByTestId('envelope-jwk').textContent()) ?? '{}') as {
    x: string;
  };
  const body = config.body as {
    device_id: string;
    jwks: { keys: Array<{ x: string; use: string }> };
    endpoints: Record<string, string>;
  };
  expect(body.device_id).toBe(deviceId);
  expect(body.jwks.keys.map((k) => [k.use, k.x])).toEqual([
    ['sig', signing.x],
    ['enc', envelope.x],
  ]);
  expect(body.endpoints.configuration).toMatch(/\/disco\/\.well-known\/disco-configuration$/);
  // The same URL without the service worker is not answered by the server: the device answers.
  const direct = await request.get('/disco/.well-known/disco-configuration');
  expect(direct.status()).toBe(404);
});
