import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, makeDevice, makeRp, startTestRelay } from './testing.js';

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;
let relay: TestRelay;
let rp: Awaited<ReturnType<typeof makeRp>>;

beforeAll(async () => {
  relay = await startTestRelay({ longPollSeconds: 1 });
  rp = await makeRp(relay.clock.now());
});
afterAll(() => relay.close());

const newUid = async () => {
  const res = await fetch(`${relay.base}/uid`, {
    headers: { 'disco-client-certificate': rp.header },
  });
  return (await res.json()) as { uid: string; wait_url: string; wait_token: string };
};
const wait = (url: string, token?: string) =>
  fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

describe('GET /uid/<uid>/wait', () => {
  it('answers the device as soon as it pairs, and again afterwards', async () => {
    const pairing = await newUid();
    const device = await makeDevice();
    const polled = wait(pairing.wait_url, pairing.wait_token);
    await new Promise((r) => setTimeout(r, 100));
    const paired = await fetch(
      `${relay.base}/uid`,
      json(device.pairBody(pairing.uid, relay.publicUrl)),
    );
    expect(paired.status).toBe(200);
    const res = await polled;
    expect(res.status).toBe(200);
    const expected = { ...device.pairBody(pairing.uid, relay.publicUrl) };
    expect(await res.json()).toEqual(expected);
    const later = await wait(pairing.wait_url, pairing.wait_token);
    expect([later.status, await later.json()]).toEqual([200, expected]);
  });

  it('answers 204 when nothing happened within the long-poll time', async () => {
    const pairing = await newUid();
    const started = Date.now();
    const res = await wait(pairing.wait_url, pairing.wait_token);
    expect(res.status).toBe(204);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('answers 401 without a token, 404 for a wrong token, an unknown or an expired uid', async () => {
    const pairing = await newUid();
    const none = await wait(pairing.wait_url);
    expect([none.status, ((await none.json()) as { code: string }).code]).toEqual([
      401,
      'ERR_WAIT_TOKEN',
    ]);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    const wrong = await wait(pairing.wait_url, 'A'.repeat(43));
    expect([wrong.status, ((await wrong.json()) as { code: string }).code]).toEqual([
      404,
      'ERR_PAIRING_UNKNOWN',
    ]);
    const unknown = await wait(`${relay.base}/uid/ZZZZ-ZZZZ/wait`, pairing.wait_token);
    expect(unknown.status).toBe(404);
    relay.clock.advance(301_000);
    const expired = await wait(pairing.wait_url, pairing.wait_token);
    expect(expired.status).toBe(404);
  });

  it('ends long-polls when the relay closes', async () => {
    const other = await startTestRelay({ longPollSeconds: 30 });
    const otherRp = await makeRp(other.clock.now());
    const res = await fetch(`${other.base}/uid`, {
      headers: { 'disco-client-certificate': otherRp.header },
    });
    const pairing = (await res.json()) as { wait_url: string; wait_token: string };
    const polled = wait(pairing.wait_url, pairing.wait_token);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await other.close();
    expect((await polled).status).toBe(204);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(other.link.closed).toBe(true);
  });
});
