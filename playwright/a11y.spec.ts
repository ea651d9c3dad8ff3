import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect, createDevice, addField } from './fixtures.js';

async function axe(page: Page) {
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  return violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe finds no violations on any screen (${colorScheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Welcome to Disco' })).toBeVisible();
    expect(await axe(page)).toEqual([]);
    await createDevice(page);
    expect(await axe(page)).toEqual([]);
    await addField(page, 'Full name', { 'Full name': 'Ada' });
    await page.getByLabel('Add information').selectOption({ label: 'Postal address' });
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByText('Enter the street and number.')).toBeVisible();
    expect(await axe(page)).toEqual([]);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByText('Public keys (JWK)').click();
    expect(await axe(page)).toEqual([]);
  });
}

/** Consent records as the service worker files them, written straight into IndexedDB. */
function consentRecords(now: number): Array<[string, string, unknown]> {
  const certificate = (cn: string, trust: string) => ({
    subject: `CN=${cn}`,
    commonName: cn,
    issuer: trust === 'anchor' ? 'CN=Example Trust CA' : `CN=${cn}`,
    notBefore: now - 86_400_000,
    notAfter: now + 86_400_000 * 365,
    thumbprint: 'q3Jx8H0mZ2bT9sLkP4vW1yNcR7eA5uDgF6hK0jXoQiM',
    selfSigned: trust !== 'anchor',
    trust,
  });
  const shop = {
    clientId: 'shop.example',
    clientName: 'Shop',
    isTrusted: false,
    certificate: certificate('shop.example', 'anchor'),
  };
  const parcel = {
    clientId: 'parcel.example',
    clientName: 'Parcel Co',
    isTrusted: true,
    certificate: certificate('parcel.example', 'pinned'),
  };
  const client = { certificatePem: '', secretHash: '', challengeProved: false };
  const pending = { status: 'pending', createdAt: now, expiresAt: now + 600_000, lastPollAt: now };
  const grant = 'g1aaaaaaaaaaaaaaaaaaaa';
  const log = (id: string, at: number, a: Record<string, unknown>): [string, string, unknown] => [
    'activity',
    `${String(at).padStart(15, '0')}-${id}`,
    { id, at, decidedBy: 'person', clientId: 'shop.example', clientName: 'Shop', ...a },
  ];
  return [
    ['vault', 'name', { kind: 'name', value: 'Ada Lovelace', updatedAt: now }],
    ['clients', 'shop.example', { ...shop, ...client, registeredAt: now - 3_600_000 }],
    ['clients', 'parcel.example', { ...parcel, ...client, registeredAt: now - 3_600_000 }],
    [
      'grants',
      grant,
      {
        grantId: grant,
        clientId: 'shop.example',
        scope: ['name'],
        createdAt: now,
        expiresAt: now + 1e9,
      },
    ],
    [
      'rules',
      'rule1',
      { id: 'rule1', clientId: 'shop.example', kind: 'key_a', scope: ['name'], createdAt: now },
    ],
    [
      'pending',
      'p1',
      {
        ...pending,
        id: 'p1',
        kind: 'register',
        scope: [],
        work: {},
        client: {
          ...shop,
          clientId: 'new.example',
          clientName: 'NewCo',
          certificate: certificate('new.example', 'unverified'),
        },
      },
    ],
    [
      'pending',
      'p2',
      { ...pending, id: 'p2', kind: 'key_a', scope: ['name', 'email'], work: {}, client: shop },
    ],
    [
      'pending',
      'p3',
      {
        ...pending,
        id: 'p3',
        kind: 'key_b',
        scope: ['name'],
        work: {},
        client: shop,
        grantId: grant,
        audience: {
          clientId: 'parcel.example',
          clientName: 'Parcel Co',
          thumbprint: shop.certificate.thumbprint,
        },
      },
    ],
    [
      'pending',
      'p4',
      {
        ...pending,
        id: 'p4',
        kind: 'data',
        scope: ['name', 'email'],
        work: {},
        client: parcel,
        grantId: grant,
        via: { clientId: 'shop.example', clientName: 'Shop' },
      },
    ],
    log('a1', now - 2000, { kind: 'register', outcome: 'approved', scope: [] }),
    log('a2', now - 1000, { kind: 'key_a', outcome: 'denied', scope: ['name'], grantId: grant }),
    log('a3', now, {
      kind: 'data',
      outcome: 'approved',
      decidedBy: 'rule',
      clientId: 'parcel.example',
      clientName: 'Parcel Co',
      scope: ['name'],
      fields: ['name'],
      grantId: grant,
      via: 'shop.example',
    }),
  ];
}

async function seed(page: Page, records: Array<[string, string, unknown]>): Promise<void> {
  await page.evaluate(async (records) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('disco', 1);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error ?? new Error('indexedDB.open failed'));
    });
    await new Promise((resolve, reject) => {
      const tx = db.transaction('records', 'readwrite');
      for (const [collection, key, value] of records)
        tx.objectStore('records').put(value, [collection, key]);
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error ?? new Error('write failed'));
    });
    db.close();
  }, records);
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe finds no violations on the consent screens (${colorScheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await createDevice(page);
    const screens = [
      { link: /^Requests/, heading: 'Requests', empty: 'No requests waiting.' },
      { link: 'Connections', heading: 'Connections', empty: 'No companies are connected yet.' },
      { link: 'Activity', heading: 'Activity', empty: 'Nothing has happened yet.' },
    ];
    for (const s of screens) {
      await page.getByRole('link', { name: s.link }).click();
      await expect(page.getByRole('heading', { name: s.heading, level: 1 })).toBeVisible();
      await expect(page.getByText(s.empty)).toBeVisible();
      expect(await axe(page)).toEqual([]);
    }

    await seed(page, consentRecords(Date.now()));
    await page.goto('/#/inbox');
    await page.reload();
    await expect(page.getByRole('link', { name: 'Requests (4)' })).toBeVisible();
    await expect(page.getByTestId('request-p4')).toContainText('Ada Lovelace');
    await page.getByTestId('request-p1').getByText('Certificate details').click();
    expect(await axe(page)).toEqual([]);
    await page.getByRole('link', { name: 'Connections' }).click();
    await expect(page.getByTestId('client-shop.example')).toBeVisible();
    await page.getByRole('button', { name: 'Remove Shop' }).click();
    await expect(page.getByRole('button', { name: 'Yes, remove' })).toBeVisible();
    expect(await axe(page)).toEqual([]);
    await page.getByRole('link', { name: 'Activity' }).click();
    await expect(page.getByTestId('activity-a3')).toContainText('Approved by your rule');
    expect(await axe(page)).toEqual([]);
  });
}

test('the theme can be chosen and is kept', async ({ page }) => {
  await createDevice(page);
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('Dark').check();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await axe(page)).toEqual([]);
});
