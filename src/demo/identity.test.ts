import { mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FILES, loadOrCreateIdentity } from './common/identity.js';
import { createCourier, createShop, startDemos } from './index.js';

const quiet = { info: () => {}, error: () => {} };
const dirs: string[] = [];
async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'disco-demo-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('demo identity', () => {
  it('is made on the first run and re-imported, unchanged, on the next', async () => {
    const dir = join(await tempDir(), 'shop');
    const first = await loadOrCreateIdentity({ dir, name: 'Demo Shop' });
    expect(first.created).toBe(true);
    expect(first.thumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.fingerprint).toMatch(/^([A-Z2-7]{4}-){7}[A-Z2-7]{4}$/);
    expect(first.clientSecret.length).toBeGreaterThanOrEqual(43);

    const key = await readFile(join(dir, FILES.key), 'utf8');
    expect(key).toMatch(
      /^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END PRIVATE KEY-----\n$/,
    );
    expect(await readFile(join(dir, FILES.certificate), 'utf8')).toContain('BEGIN CERTIFICATE');
    for (const f of [FILES.key, FILES.secret]) {
      expect((await stat(join(dir, f))).mode & 0o077).toBe(0);
    }

    const second = await loadOrCreateIdentity({ dir, name: 'Demo Shop' });
    expect(second.created).toBe(false);
    expect(second.thumbprint).toBe(first.thumbprint);
    expect(second.clientSecret).toBe(first.clientSecret);
    expect(second.identity.certificatePem).toBe(first.identity.certificatePem);
  });

  it('a second start of the shop and the courier shows the same certificate', async () => {
    const root = await tempDir();
    const cfg = { relayUrl: 'http://127.0.0.1:9', log: quiet };
    const shop1 = await createShop({
      ...cfg,
      courierUrl: 'http://127.0.0.1:9',
      dataDir: join(root, 'shop'),
    });
    const shop2 = await createShop({
      ...cfg,
      courierUrl: 'http://127.0.0.1:9',
      dataDir: join(root, 'shop'),
    });
    const courier1 = await createCourier({ ...cfg, dataDir: join(root, 'courier') });
    const courier2 = await createCourier({ ...cfg, dataDir: join(root, 'courier') });
    expect(shop2.thumbprint).toBe(shop1.thumbprint);
    expect(courier2.thumbprint).toBe(courier1.thumbprint);
    expect(courier1.thumbprint).not.toBe(shop1.thumbprint);
    expect([shop1.clientId, shop1.name, courier1.clientId, courier1.name]).toEqual([
      'shop',
      'Demo Shop',
      'courier',
      'Demo Courier',
    ]);
    for (const d of [shop1, shop2, courier1, courier2]) d.close();
  });

  it('refuses damaged files with a message naming the directory', async () => {
    const dir = await tempDir();
    await loadOrCreateIdentity({ dir, name: 'Demo Shop' });
    await writeFile(join(dir, FILES.key), 'not a key');
    await expect(loadOrCreateIdentity({ dir, name: 'Demo Shop' })).rejects.toThrow(dir);
    await writeFile(join(dir, FILES.secret), 'short');
    await expect(loadOrCreateIdentity({ dir, name: 'Demo Shop' })).rejects.toThrow(/client-secret/);
  });

  it('refuses a key that belongs to another certificate', async () => {
    const a = await tempDir();
    const b = await tempDir();
    await loadOrCreateIdentity({ dir: a, name: 'A' });
    await loadOrCreateIdentity({ dir: b, name: 'B' });
    await writeFile(join(a, FILES.key), await readFile(join(b, FILES.key)));
    await expect(loadOrCreateIdentity({ dir: a, name: 'A' })).rejects.toThrow(/does not belong/);
  });

  it('remakes half a pair, and an expired certificate', async () => {
    const dir = await tempDir();
    const first = await loadOrCreateIdentity({ dir, name: 'Demo Shop' });
    await unlink(join(dir, FILES.certificate));
    const errors: string[] = [];
    const remade = await loadOrCreateIdentity({
      dir,
      name: 'Demo Shop',
      log: { info: () => {}, error: (l) => errors.push(l) },
    });
    expect(remade.created).toBe(true);
    expect(remade.thumbprint).not.toBe(first.thumbprint);
    expect(remade.clientSecret).toBe(first.clientSecret);
    expect(errors.join()).toContain(FILES.certificate);

    const later = { now: () => Date.now() + 900 * 86_400_000 };
    const renewed = await loadOrCreateIdentity({ dir, name: 'Demo Shop', clock: later });
    expect(renewed.created).toBe(true);
    expect(renewed.thumbprint).not.toBe(remade.thumbprint);
  });
});

describe('startDemos', () => {
  it('serves both demos on 127.0.0.1 and closes them', async () => {
    const dataDir = await tempDir();
    const demos = await startDemos({
      relayUrl: 'http://127.0.0.1:9',
      shopPort: 0,
      courierPort: 0,
      dataDir,
      log: quiet,
    });
    expect(demos.shopUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(demos.courierUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const shopPage = await fetch(`${demos.shopUrl}/`);
    expect(await shopPage.text()).toContain('Connect with Disco');
    const courierPage = await fetch(`${demos.courierUrl}/`);
    expect(await courierPage.text()).toContain('courier-status');
    const identity = (await (await fetch(`${demos.courierUrl}/api/identity`)).json()) as {
      client_id: string;
    };
    expect(identity.client_id).toBe('courier');
    await stat(join(dataDir, 'shop', FILES.certificate));
    await stat(join(dataDir, 'courier', FILES.certificate));
    await demos.close();
    await expect(fetch(`${demos.shopUrl}/`)).rejects.toThrow();
  });
});
