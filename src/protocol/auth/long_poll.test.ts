import { describe, expect, it } from 'vitest';
import { makeDevice } from '../../testing/engine_harness.js';
import { createClientIdentity, sealRequest, type Transport } from '../../sdk/index.js';
import { b64u, systemRandom } from '../encoding/index.js';
import { DiscoError } from '../errors/index.js';
import {
  COLLECTIONS,
  createDecisionSignal,
  decide,
  loadContext,
  POLICY,
  type PendingRecord,
} from './index.js';

/** A device whose engine holds polls (long-poll), and a company counting what it sends. */
async function holdingDevice() {
  const d = await makeDevice();
  d.deps.decisions = createDecisionSignal();
  d.person.answer = 'ignore'; // the person decides in the test, on real time
  const posts: string[] = [];
  /** What each post was answered: the error code, and whether the device offered to hold. */
  const answers: { code?: string; long_poll?: number }[] = [];
  const counting: Transport = {
    get: (path, signal) => d.transport.get(path, signal),
    post: async (path, body, signal) => {
      posts.push(path);
      const res = await d.transport.post(path, body, signal);
      answers.push(res.status === 200 ? {} : (JSON.parse(res.body) as (typeof answers)[0]));
      return res;
    },
  };
  const identity = await createClientIdentity({ name: 'Shop', clock: d.clock });
  const shop = await d.client('Shop', { identity, transport: counting });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const waiting = async () =>
    (await d.store.list<PendingRecord>(COLLECTIONS.pending))
      .map(({ value }) => value)
      .filter((p) => p.status === 'pending');
  /**
   * The person approves `ms` after the request is filed: counted from the filing, not from the
   * call, since a loaded machine can take longer than `ms` to file it (then nothing was approved
   * and the test hung).
   */
  const approveSoon = (ms: number) =>
    void (async () => {
      const until = Date.now() + 20_000;
      while ((await waiting()).length === 0 && Date.now() < until) await sleep(5);
      await sleep(ms);
      const ctx = await loadContext(d.deps);
      for (const p of await waiting()) await decide(p.id, { approve: true, by: 'person' }, ctx);
    })();
  return { d, shop, identity, posts, answers, approveSoon, waiting, sleep };
}

describe('pushed answers: a poll held until the person decides (issue #16)', () => {
  it('the answer reaches the company as soon as the person decides, in one held poll', async () => {
    const { shop, posts, approveSoon } = await holdingDevice();
    approveSoon(300);
    const started = performance.now();
    expect(await shop.register()).toMatchObject({ status: 'registered' });
    const took = performance.now() - started;
    // the request, then one poll held until the click: no 1 s interval waited out
    expect(posts).toEqual(['/disco/auth/register', '/disco/auth/register']);
    expect(took).toBeGreaterThanOrEqual(250);
  });

  it('a decision landing between the poll reading the request and waiting still wakes it', async () => {
    const { d, shop, posts, approveSoon } = await holdingDevice();
    approveSoon(50);
    await shop.register();
    // A signal whose timer never fires: only a wake (or the poll's own abort) ends a hold, so a
    // lost wake-up hangs this test instead of hiding behind the hold's timeout.
    const real = createDecisionSignal();
    d.deps.decisions = { ...real, wait: (id, _ms, signal) => real.wait(id, 3_600_000, signal) };
    // The person clicks just as the held poll has read the request as pending, before it waits:
    // the decision's wake-up finds nobody (the race of the browser run, issue #16).
    let armed = false;
    const get = d.store.get.bind(d.store);
    d.store.get = (async (collection: string, key: string) => {
      const value = await get(collection, key);
      if (armed && collection === COLLECTIONS.pending) {
        armed = false;
        await decide(key, { approve: true, by: 'person' }, await loadContext(d.deps));
      }
      return value;
    }) as typeof d.store.get;
    posts.length = 0;
    const answer = await shop.requestKeyA(['address'], { onPending: () => (armed = true) });
    expect(answer).toMatchObject({ scope: 'address' });
    // the request, then one held poll that got the answer
    expect(posts).toEqual(['/disco/auth/authorize', '/disco/auth/authorize']);
  });

  it('a worker on its way out releases its held polls at once and holds no new one', async () => {
    const { d, shop, posts, answers, waiting, sleep } = await holdingDevice();
    // A hold that only a wake can end: without the release this test hangs (an update of the
    // service worker waited five minutes for two companies whose holds overlapped).
    const real = createDecisionSignal();
    d.deps.decisions = { ...real, wait: (id, _ms, signal) => real.wait(id, 3_600_000, signal) };
    const registered = shop.register();
    while (posts.length < 2) await sleep(5);
    // the second post is the held poll: past 0.5 s the SDK takes it as held and asks again at once
    await sleep(700);
    expect(real.holding()).toBe(true);
    real.release(60_000);
    expect(real.holding()).toBe(false);
    // the held poll answers "pending" at once, it and the polls after it with no offer to hold
    while (answers.length < 4) await sleep(5);
    const ctx = await loadContext(d.deps);
    for (const p of await waiting()) await decide(p.id, { approve: true, by: 'person' }, ctx);
    expect(await registered).toMatchObject({ status: 'registered' });
    const afterRelease = answers.slice(1, -1);
    expect(afterRelease.length).toBeGreaterThanOrEqual(1);
    for (const a of afterRelease)
      expect(a).toEqual(expect.objectContaining({ code: 'ERR_AUTHORIZATION_PENDING' }));
    for (const a of afterRelease) expect(a.long_poll).toBeUndefined();
  });

  it('a release holds nothing for its time, then holding resumes', async () => {
    const signal = createDecisionSignal();
    const woken: string[] = [];
    const a = signal.wait('a', 3_600_000).then(() => woken.push('a'));
    const b = signal.wait('b', 3_600_000).then(() => woken.push('b'));
    signal.release(30);
    await Promise.all([a, b]);
    expect(woken.sort()).toEqual(['a', 'b']);
    expect(signal.holding()).toBe(false);
    await new Promise((r) => setTimeout(r, 60));
    expect(signal.holding()).toBe(true);
  });

  it('a held poll that runs out answers pending, and the next one is held again', async () => {
    const { shop, posts, approveSoon } = await holdingDevice();
    approveSoon(4500);
    let pendings = 0;
    // timeoutMs caps each hold at what is left of it: 4 s here (the harness's clock stands still)
    const answer = await shop.register(undefined, { timeoutMs: 4000, onPending: () => pendings++ });
    expect(answer).toMatchObject({ status: 'registered' });
    // the request's answer, and the first hold running out
    expect(pendings).toBe(2);
    expect(posts).toHaveLength(3);
  });

  it('refuses a wait that is not a whole number of seconds from 1 to POLICY.longPollSeconds (5)', async () => {
    const { d, identity } = await holdingDevice();
    const first = await d.transport.post(
      '/disco/auth/register',
      await sealRequest(
        claims(d, { client_name: 'Shop', is_trusted: false, certificate: identity.certificatePem }),
        identity,
        d.device,
      ),
    );
    const authReqId = JSON.parse(first.body) as { auth_req_id: string; long_poll: number };
    expect(authReqId.long_poll).toBe(POLICY.longPollSeconds);
    expect(POLICY.longPollSeconds).toBe(5);
    for (const wait of [0, 6, 1.5, '5']) {
      const res = await d.transport.post(
        '/disco/auth/register',
        await sealRequest(
          claims(d, {
            auth_req_id: authReqId.auth_req_id,
            certificate: identity.certificatePem,
            wait,
          }),
          identity,
          d.device,
        ),
      );
      expect((JSON.parse(res.body) as { code: string }).code, String(wait)).toBe(
        'ERR_REQUEST_MALFORMED',
      );
    }
  });
});

function claims(d: Awaited<ReturnType<typeof makeDevice>>, extra: Record<string, unknown>) {
  const now = Math.floor(d.clock.now() / 1000);
  return {
    iss: 'shop',
    aud: d.device.deviceId,
    iat: now,
    exp: now + 120,
    jti: b64u.encode(systemRandom(16)),
    htu: '/disco/auth/register',
    state: b64u.encode(systemRandom(16)),
    client_id: 'shop',
    client_secret: 'secret-of-Shop-'.padEnd(40, 'x'),
    ...extra,
  };
}

describe('an answer lost on its way back (the page that carried it reloaded)', () => {
  it('is collected again by the same client, the same sealed bytes, within a minute; not after', async () => {
    const { d, shop, approveSoon } = await holdingDevice();
    const answers: string[] = [];
    const lossy: Transport = {
      get: (path, signal) => d.transport.get(path, signal),
      post: async (path, body, signal) => {
        const res = await d.transport.post(path, body, signal);
        if (res.status === 200) answers.push(res.body);
        // the first answer is lost in transit, as when the device page reloads at that moment
        if (res.status === 200 && answers.length === 1)
          throw new DiscoError('ERR_DEVICE_UNREACHABLE', 'The connection to the device closed.');
        return res;
      },
    };
    const identity = await createClientIdentity({ name: 'Lossy', clock: d.clock });
    const client = await d.client('Lossy', { identity, transport: lossy });
    void shop;
    approveSoon(200);
    expect(await client.register()).toMatchObject({ status: 'registered' });
    expect(answers).toHaveLength(2);
    expect(answers[0]).toBe(answers[1]);
    expect(await d.store.list(COLLECTIONS.clients)).toHaveLength(1);
  });
});
