import { get } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CAPABILITY_LIMITS,
  peerIdOfIssuer,
  signRevocationList,
  type RevocationList,
} from '../../protocol/certificates/index.js';
import { generateKey, type TestKey } from '../../protocol/certificates/test_keys.js';
import { b64u } from '../../protocol/encoding/index.js';
import { startTestRelay, unreachable } from './testing.js';

/**
 * The relay's cache of revocation lists (docs/wire/certificates.md "The relay's cache of lists"), on a
 * relay with a fake device link and a fake clock: published by the device, refreshed through the
 * tunnel when a minute old, served to verifiers while the device is away, rollback refused.
 */
type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;
let relay: TestRelay;
let device: TestKey;
let peer: string;
/** What the device answers through the tunnel (its list, signed now), while `online`. */
let deviceState: { sequence: number; revoked: string[] };
let online: boolean;
const id = (n: number) => b64u.encode(new Uint8Array(32).fill(n));

const sign = (sequence: number, revoked: string[], key = device): Promise<RevocationList> =>
  signRevocationList({ issuer: key.publicKey, sequence, revoked }, key.sign, relay.clock.now());
const url = (p = peer) => `${relay.base}/capability/revocations/${p}`;
const put = (body: unknown, p = peer) =>
  fetch(url(p), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const codeOf = async (res: Response) => [res.status, ((await res.json()) as { code: string }).code];
async function served(): Promise<RevocationList> {
  const res = await fetch(url());
  expect(res.status).toBe(200);
  const { list } = (await res.json()) as { list: string };
  const { parseRevocationList } = await import('../../protocol/certificates/index.js');
  return parseRevocationList(b64u.decode(list), { now: relay.clock.now() });
}

beforeAll(async () => {
  relay = await startTestRelay({ tunnelTimeoutMs: 300 });
});
afterAll(() => relay.close());
beforeEach(async () => {
  device = await generateKey();
  peer = await peerIdOfIssuer(device.publicKey);
  deviceState = { sequence: 0, revoked: [] };
  online = true;
  relay.clock.advance(10_000); // past the spacing of tunnel asks of earlier tests
  relay.link.requests.length = 0;
  relay.link.answer = async (_peer, req) => {
    if (!online || req.path !== '/disco/capability/revocations') return unreachable(_peer, req);
    const list = await sign(deviceState.sequence, deviceState.revoked);
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: new TextEncoder().encode(JSON.stringify({ list: b64u.encode(list.bytes) })),
    };
  };
});

describe('GET /capability/revocations/<peer id>', () => {
  it('asks the device through the tunnel when nothing is cached, then serves its copy', async () => {
    deviceState = { sequence: 2, revoked: [id(1)] };
    const first = await served();
    expect([first.sequence, first.revoked]).toEqual([2, [id(1)]]);
    expect(relay.link.requests.map((r) => [r.peerId, r.req.method, r.req.path])).toEqual([
      [peer, 'GET', '/disco/capability/revocations'],
    ]);
    const res = await fetch(url());
    expect(res.headers.get('cache-control')).toBe('public, no-cache');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const etag = res.headers.get('etag');
    expect(etag).toBeTruthy();
    // node:http, not fetch: fetch adds `cache-control: no-cache` to a conditional request
    const status = await new Promise<number | undefined>((resolve, reject) =>
      get(url(), { headers: { 'if-none-match': etag! } }, (r) => {
        r.resume();
        resolve(r.statusCode);
      }).on('error', reject),
    );
    expect(status).toBe(304);
    expect(relay.link.requests).toHaveLength(1); // a fresh copy: the device is not asked again
  });

  it('refreshes a copy older than a minute; serves the old one while the device is away', async () => {
    await served();
    relay.clock.advance(61_000);
    const refreshed = await served();
    expect(refreshed.issuedAt * 1000).toBe(relay.clock.now() - (relay.clock.now() % 1000));
    expect(relay.link.requests).toHaveLength(2);

    online = false;
    relay.clock.advance(120_000);
    const old = await served();
    expect(old.id).toBe(refreshed.id); // the verifier's 300 s window decides what it is worth
  });

  it('answers 504 when nothing is cached and the device is away; 404 for a non-peer id', async () => {
    online = false;
    expect(await codeOf(await fetch(url()))).toEqual([504, 'ERR_DEVICE_UNREACHABLE']);
    expect(await codeOf(await fetch(url('disco-XYZ')))).toEqual([404, 'ERR_NOT_FOUND']);
    expect((await fetch(url('..%2Fuid'))).status).toBe(404);
  });

  it('does not cache what the device answers for another key, or malformed', async () => {
    const thief = await generateKey();
    relay.link.answer = async () => {
      const list = await sign(9, [], thief);
      return {
        status: 200,
        headers: {},
        body: new TextEncoder().encode(JSON.stringify({ list: b64u.encode(list.bytes) })),
      };
    };
    expect(await codeOf(await fetch(url()))).toEqual([504, 'ERR_DEVICE_UNREACHABLE']);
    relay.clock.advance(3000);
    relay.link.answer = () =>
      Promise.resolve({ status: 200, headers: {}, body: new TextEncoder().encode('{"list":') });
    expect(await codeOf(await fetch(url()))).toEqual([504, 'ERR_DEVICE_UNREACHABLE']);
  });
});

describe('PUT /capability/revocations/<peer id>', () => {
  it("takes the device's new list at once, so verifiers see a revocation while it is away", async () => {
    expect((await put({ list: b64u.encode((await sign(1, [id(3)])).bytes) })).status).toBe(204);
    online = false;
    const got = await served();
    expect([got.sequence, got.revoked]).toEqual([1, [id(3)]]);
    expect(relay.link.requests).toHaveLength(0);
    // the same list again, and a later signature of it, are fine
    expect((await put({ list: b64u.encode((await sign(1, [id(3)])).bytes) })).status).toBe(204);
  });

  it('refuses a rollback and a second list under one sequence', async () => {
    await put({ list: b64u.encode((await sign(3, [id(1), id(2)])).bytes) });
    const back = await put({ list: b64u.encode((await sign(2, [id(1)])).bytes) });
    expect(await codeOf(back)).toEqual([400, 'ERR_CAP_REVOCATIONS_ROLLBACK']);
    const twin = await put({ list: b64u.encode((await sign(3, [id(1)])).bytes) });
    expect(await codeOf(twin)).toEqual([400, 'ERR_CAP_REVOCATIONS_ROLLBACK']);
    online = false;
    expect((await served()).sequence).toBe(3);
  });

  it("refuses another device's list, tampering, malformed and oversized bodies", async () => {
    const thief = await generateKey();
    const theirs = await sign(7, [], thief);
    expect(await codeOf(await put({ list: b64u.encode(theirs.bytes) }))).toEqual([
      403,
      'ERR_CAP_UNTRUSTED_ISSUER',
    ]);
    const mine = (await sign(1, [id(1)])).bytes.slice();
    mine[mine.length - 1]! ^= 1;
    expect((await codeOf(await put({ list: b64u.encode(mine) })))[1]).toMatch(/^ERR_CAP_/);
    for (const body of ['{"list":', '[]', '{}', '{"list":"AQID","more":1}', 'null'])
      expect((await codeOf(await put(body)))[0]).toBe(400);
    const big = b64u.encode(new Uint8Array(CAPABILITY_LIMITS.maxRevocationListBytes + 1));
    expect(await codeOf(await put({ list: big }))).toEqual([413, 'ERR_CAP_TOO_LARGE']);
    expect((await put({ list: 'A'.repeat(200_000) })).status).toBe(413);
    expect(await codeOf(await put({ list: 'AQID' }, 'not-a-peer'))).toEqual([404, 'ERR_NOT_FOUND']);
    online = false;
    expect(await codeOf(await fetch(url()))).toEqual([504, 'ERR_DEVICE_UNREACHABLE']);
  });
});

describe('PUT rate limit', () => {
  it('refuses more than 30 publications a minute from one address (each costs a verify)', async () => {
    const body = { list: b64u.encode((await sign(1, [])).bytes) };
    let last: Response | undefined;
    for (let i = 0; i < 40 && last?.status !== 429; i++) last = await put(body);
    expect(await codeOf(last!)).toEqual([429, 'ERR_RATE_LIMITED']);
  });
});
