import { describe, expect, it, vi } from 'vitest';
import { makeDevice } from '../../testing/engine_harness.js';
import { codeOf } from '../../testing/code_of.js';
import { createClientIdentity } from '../../sdk/index.js';
import { COLLECTIONS, decide, loadContext, type GrantRecord, type PendingRecord } from './index.js';

const activeOf = async (d: Awaited<ReturnType<typeof makeDevice>>) =>
  (await d.store.list<GrantRecord>(COLLECTIONS.grants))
    .map((r) => r.value)
    .filter((g) => g.revokedAt === undefined);

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

  it('two key A requests approved at the same moment leave one permission in force', async () => {
    const d = await makeDevice();
    const shop = await d.client('Shop');
    await shop.register();
    await shop.requestKeyA(['address']); // a permission to replace
    let release!: () => void;
    d.person.held = new Promise((r) => (release = r));
    const calls = [shop.requestKeyA(['address']), shop.requestKeyA(['address'])];
    const pending = async () =>
      (await d.store.list<PendingRecord>(COLLECTIONS.pending))
        .map((r) => r.value)
        .filter((p) => p.status === 'pending');
    while ((await pending()).length < 2) await new Promise((r) => setTimeout(r, 1));
    // Both decisions read the company's current grant before either writes.
    const [a, b] = await pending();
    const decided = await Promise.all(
      [a!, b!].map(async (p) =>
        decide(p.id, { approve: true, by: 'person' }, await loadContext(d.deps)),
      ),
    );
    expect(decided.map((p) => p.status)).toEqual(['approved', 'approved']);
    d.person.held = undefined;
    release();
    await Promise.all(calls);
    expect(await activeOf(d)).toHaveLength(1);
  });

  it('ten key A requests a rule approves at the same moment are all answered, one permission in force', async () => {
    const d = await makeDevice();
    const shop = await d.client('Shop');
    await shop.register();
    d.person.answer = 'remember'; // the person approves and makes a rule
    await shop.requestKeyA(['address']);
    d.person.answer = 'ignore'; // from now on the rule decides
    // As a busy company's server may: ten in flight (the oidc bench's 10-in-flight round got a
    // 409 when the loser of the race was tried again only once). Each write waits a little, so
    // that they all read the company's current grant before any of them writes.
    const write = d.store.write.bind(d.store);
    d.store.write = async (ops) => {
      await new Promise((r) => setTimeout(r, 5));
      return write(ops);
    };
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => shop.requestKeyA(['address'])),
    );
    expect(answers.every((a) => typeof a.key_a === 'string')).toBe(true);
    expect(await activeOf(d)).toHaveLength(1);
  });

  it("tells the host when a rule answered (the person's pages then show the new permission)", async () => {
    const d = await makeDevice();
    const told: string[] = [];
    d.deps.answeredByRule = (p) => told.push(`${p.kind} ${p.client.clientId}`);
    const shop = await d.client('Shop');
    await shop.register();
    d.person.answer = 'remember';
    await shop.requestKeyA(['address']);
    // the person answered those two: no rule was involved
    expect(told).toEqual([]);
    d.person.answer = 'ignore';
    await shop.requestKeyA(['address']);
    expect(told).toEqual(['key_a shop']);
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

  it('finds the grant it replaces in one read: no key A request lists the grants (issue #13)', async () => {
    const d = await makeDevice();
    const shop = await d.client('Shop');
    await shop.register();
    await shop.requestKeyA(['address']);
    const list = vi.spyOn(d.store, 'list');
    for (let i = 0; i < 3; i++) await shop.requestKeyA(['address']);
    expect(list.mock.calls.filter(([c]) => c === COLLECTIONS.grants)).toEqual([]);
    expect(await activeOf(d)).toHaveLength(1);
    expect((await d.store.list(COLLECTIONS.grants)).length).toBe(4);
  });

  it('without the record of the current grant (a restore, older data) it lists them once', async () => {
    const d = await makeDevice();
    const shop = await d.client('Shop');
    const other = await d.client('Other Shop');
    await shop.register();
    await other.register();
    await other.requestKeyA(['address']);
    await shop.requestKeyA(['address']);
    // Data from before the record: two grants in force for one company, and no record.
    const [kept] = (await activeOf(d)).filter((g) => g.clientId === 'shop');
    await d.store.write([
      {
        op: 'put',
        collection: COLLECTIONS.grants,
        key: 'older',
        value: { ...kept!, grantId: 'older' },
      },
      { op: 'delete', collection: COLLECTIONS.activeGrant, key: 'shop' },
    ]);
    await shop.requestKeyA(['address']);
    const active = await activeOf(d);
    expect(active.map((g) => g.clientId).sort()).toEqual(['other-shop', 'shop']);
    const current = await d.store.get(COLLECTIONS.activeGrant, 'shop');
    expect(current).toEqual({
      clientId: 'shop',
      grantId: active.find((g) => g.clientId === 'shop')!.grantId,
    });
  });

  it("a record naming another company's grant is not trusted", async () => {
    const d = await makeDevice();
    const shop = await d.client('Shop');
    const other = await d.client('Other Shop');
    await shop.register();
    await other.register();
    await shop.requestKeyA(['address']);
    await other.requestKeyA(['address']);
    const theirs = await d.store.get(COLLECTIONS.activeGrant, 'other-shop');
    await d.store.write([
      { op: 'put', collection: COLLECTIONS.activeGrant, key: 'shop', value: theirs },
    ]);
    await shop.requestKeyA(['address']);
    const active = await activeOf(d);
    expect(active.map((g) => g.clientId).sort()).toEqual(['other-shop', 'shop']);
  });
});
