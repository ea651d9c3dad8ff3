import { describe, expect, it } from 'vitest';
import { makeDevice } from '../../testing/engine_harness.js';
import { createClientIdentity, sealRequest, type Transport } from '../../sdk/index.js';
import { b64u, systemRandom } from '../encoding/index.js';
import {
  COLLECTIONS,
  createDecisionSignal,
  decide,
  loadContext,
  type ActivityRecord,
  type PendingRecord,
} from './index.js';

const AUTHORIZE = '/disco/auth/authorize';

/**
 * A device with a registered shop (and a second company) whose key A request waits for the
 * person; every body the shop sends is kept, to replay one.
 */
async function waitingRequest() {
  const d = await makeDevice();
  const withdrawn: PendingRecord[] = [];
  d.deps.withdrawn = (p) => withdrawn.push(p);
  const sent: { path: string; body: string }[] = [];
  const keeping: Transport = {
    get: (path, signal) => d.transport.get(path, signal),
    post: (path, body, signal) => {
      sent.push({ path, body });
      return d.transport.post(path, body, signal);
    },
  };
  const identity = await createClientIdentity({ name: 'Shop', clock: d.clock });
  const shop = await d.client('Shop', { identity, transport: keeping });
  await shop.register();
  d.person.answer = 'ignore';
  // The shop gives up on its key A request once the device has filed it.
  const stop = new AbortController();
  let authReqId = '';
  const call = shop.requestKeyA(['address'], {
    signal: stop.signal,
    onPending: (info) => {
      authReqId = info.authReqId;
      stop.abort();
    },
  });
  return { d, shop, sent, withdrawn, call, authReqId: () => authReqId };
}

const pendingOf = async (d: Device, id: string) =>
  d.store.get<PendingRecord>(COLLECTIONS.pending, id);

const activity = async (d: Device) =>
  (await d.store.list<ActivityRecord>(COLLECTIONS.activity)).map((r) => r.value);

describe('withdraw: the company gives up a request still waiting (issue #16)', () => {
  it('an aborted call withdraws its request: the record goes, Activity says so, pages are told', async () => {
    const { d, shop, call, withdrawn, authReqId } = await waitingRequest();
    await expect(call).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(shop.withdrawals).toHaveLength(1);
    expect(await shop.withdrawals[0]).toBeUndefined();
    expect(await pendingOf(d, authReqId())).toBeUndefined();
    expect(withdrawn.map((p) => p.id)).toEqual([authReqId()]);
    const last = (await activity(d)).at(-1)!;
    expect(last).toMatchObject({
      kind: 'key_a',
      outcome: 'withdrawn',
      decidedBy: 'company',
      clientId: 'shop',
    });
    // no grant was made, and the person can no longer answer it
    expect(await d.store.list(COLLECTIONS.grants)).toHaveLength(0);
    const ctx = await loadContext(d.deps);
    await expect(decide(authReqId(), { approve: true, by: 'person' }, ctx)).rejects.toMatchObject({
      code: 'ERR_CONSENT_UNKNOWN',
    });
  });

  it('a timed-out call withdraws its request too', async () => {
    const d = await makeDevice();
    const shop = await d.client('Shop');
    await shop.register();
    d.person.answer = 'ignore';
    await expect(shop.requestKeyA(['address'], { timeoutMs: 3000 })).rejects.toMatchObject({
      code: 'ERR_TIMEOUT',
    });
    expect(await shop.withdrawals[0]).toBeUndefined();
    const left = await d.store.list<PendingRecord>(COLLECTIONS.pending);
    expect(left.filter((r) => r.value.kind === 'key_a')).toHaveLength(0);
  });

  it('another client cannot withdraw it: ERR_CONSENT_UNKNOWN, and the request still waits', async () => {
    const { d, shopId, otherId, id } = await filedByHand();
    expect(await post(d, otherId, 'other', { auth_req_id: id, withdraw: true })).toMatchObject({
      status: 404,
      code: 'ERR_CONSENT_UNKNOWN',
    });
    // nor the shop's id signed with another certificate
    expect(await post(d, otherId, 'shop', { auth_req_id: id, withdraw: true })).toMatchObject({
      code: 'ERR_CLIENT_UNKNOWN',
    });
    expect((await pendingOf(d, id))?.status).toBe('pending');
    // the shop itself can
    expect(await post(d, shopId, 'shop', { auth_req_id: id, withdraw: true })).toMatchObject({
      status: 200,
    });
    expect(await pendingOf(d, id)).toBeUndefined();
  });

  it('a request already decided cannot be withdrawn: ERR_CONSENT_DECIDED, the decision stands', async () => {
    const { d, shopId, id } = await filedByHand();
    await decide(id, { approve: true, by: 'person' }, await loadContext(d.deps));
    expect(await post(d, shopId, 'shop', { auth_req_id: id, withdraw: true })).toMatchObject({
      status: 409,
      code: 'ERR_CONSENT_DECIDED',
    });
    expect((await pendingOf(d, id))?.status).toBe('approved');
    expect(await d.store.list(COLLECTIONS.grants)).toHaveLength(1);
    // and the shop still collects its answer
    expect((await post(d, shopId, 'shop', { auth_req_id: id })).status).toBe(200);
  });

  it('a replayed withdraw is refused with ERR_REQUEST_REPLAYED; a malformed one with ERR_REQUEST_MALFORMED', async () => {
    const { d, shopId, id } = await filedByHand();
    const body = await sealed(d, shopId, 'shop', { auth_req_id: id, withdraw: 'yes' });
    expect(codeOf(await d.transport.post(AUTHORIZE, body))).toBe('ERR_REQUEST_MALFORMED');
    expect((await pendingOf(d, id))?.status).toBe('pending');
    const withdraw = await sealed(d, shopId, 'shop', { auth_req_id: id, withdraw: true });
    expect((await d.transport.post(AUTHORIZE, withdraw)).status).toBe(200);
    expect(codeOf(await d.transport.post(AUTHORIZE, withdraw))).toBe('ERR_REQUEST_REPLAYED');
    expect((await activity(d)).filter((a) => a.outcome === 'withdrawn')).toHaveLength(1);
  });

  it('wakes a poll held for the request: it answers ERR_CONSENT_UNKNOWN at once', async () => {
    const { d, shopId, id } = await filedByHand();
    d.deps.decisions = createDecisionSignal();
    const holding = post(d, shopId, 'shop', { auth_req_id: id, wait: 5 });
    await new Promise((r) => setTimeout(r, 50));
    const started = performance.now();
    await post(d, shopId, 'shop', { auth_req_id: id, withdraw: true });
    expect(await holding).toMatchObject({ code: 'ERR_CONSENT_UNKNOWN' });
    // well before the 5 s hold would have run out
    expect(performance.now() - started).toBeLessThan(4000);
  });
});

type Device = Awaited<ReturnType<typeof makeDevice>>;
type Identity = Awaited<ReturnType<typeof createClientIdentity>>;

/** A shop and another company registered; a key A request of the shop's, filed by hand. */
async function filedByHand() {
  const d = await makeDevice();
  const shopId = await createClientIdentity({ name: 'Shop', clock: d.clock });
  const otherId = await createClientIdentity({ name: 'Other', clock: d.clock });
  await (await d.client('Shop', { identity: shopId })).register();
  await (await d.client('Other', { identity: otherId })).register();
  const res = await d.transport.post(
    AUTHORIZE,
    await sealed(d, shopId, 'shop', {
      state: b64u.encode(systemRandom(16)),
      scope: 'key_b address',
    }),
  );
  const { auth_req_id: id } = JSON.parse(res.body) as { auth_req_id: string };
  expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
  return { d, shopId, otherId, id };
}

function sealed(d: Device, identity: Identity, iss: string, extra: Record<string, unknown>) {
  const now = Math.floor(d.clock.now() / 1000);
  const claims = {
    iss,
    aud: d.device.deviceId,
    iat: now,
    exp: now + 120,
    jti: b64u.encode(systemRandom(16)),
    htu: AUTHORIZE,
    client_secret: `secret-of-${iss === 'shop' ? 'Shop' : 'Other'}-`.padEnd(40, 'x'),
    ...extra,
  };
  return sealRequest(claims, identity, d.device);
}

const codeOf = (res: { body: string }) => (JSON.parse(res.body) as { code?: string }).code;

/** Posts a request signed and sealed by `identity` as client `iss`: its status and code. */
async function post(d: Device, identity: Identity, iss: string, extra: Record<string, unknown>) {
  const res = await d.transport.post(AUTHORIZE, await sealed(d, identity, iss, extra));
  return { status: res.status, code: res.status === 200 ? undefined : codeOf(res) };
}
