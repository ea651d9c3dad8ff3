import { describe, expect, it } from 'vitest';
import { makeDevice } from '../../testing/engine_harness.js';
import { codeOf } from '../../testing/code_of.js';
import { createClientIdentity } from '../../sdk/index.js';
import { COLLECTIONS, type GrantRecord } from './index.js';

describe('one permission per company (issue #11: each reconnect added an identical one)', () => {
  it('a new key A replaces the one the company had: one active grant, the old key A stops working', async () => {
    const d = await makeDevice();
    const shop = await d.client('Shop');
    const courierIdentity = await createClientIdentity({ name: 'Courier', clock: d.clock });
    const courier = await d.client('Courier', { trusted: true, identity: courierIdentity });
    await shop.register();
    await courier.register();
    const first = await shop.requestKeyA(['address']);
    const second = await shop.requestKeyA(['address']);

    const grants = (await d.store.list<GrantRecord>(COLLECTIONS.grants)).map((r) => r.value);
    const active = grants.filter((g) => g.revokedAt === undefined);
    expect(active).toHaveLength(1);
    const old = grants.find((g) => g.revokedAt !== undefined);
    expect(old?.replacedBy).toBe(active[0]!.grantId);

    const audience = { clientId: 'courier', thumbprint: courierIdentity.thumbprint };
    expect(await codeOf(shop.requestKeyB(first.key_a, audience, ['address']))).toBe(
      'ERR_GRANT_REVOKED',
    );
    expect(await codeOf(shop.requestKeyB(second.key_a, audience, ['address']))).toBe('resolved');
  });

  it("never touches another company's permission", async () => {
    const d = await makeDevice();
    const shop = await d.client('Shop');
    const other = await d.client('Other Shop');
    await shop.register();
    await other.register();
    await shop.requestKeyA(['address']);
    await other.requestKeyA(['address']);
    const active = (await d.store.list<GrantRecord>(COLLECTIONS.grants))
      .map((r) => r.value)
      .filter((g) => g.revokedAt === undefined);
    expect(active.map((g) => g.clientId).sort()).toEqual(['other-shop', 'shop']);
  });
});
