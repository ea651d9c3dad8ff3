import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, makeDevice, makeRp, startTestRelay } from './testing.js';

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;
let relay: TestRelay;

beforeAll(async () => {
  relay = await startTestRelay({
    rateLimits: {
      createPerAddress: 4,
      createPerCertificate: 2,
      pairPerAddress: 3,
      pairFailuresPerRelay: 1000,
      waitPerAddress: 2,
    },
  });
});
afterAll(() => relay.close());

const statusAndCode = async (res: Response) => [
  res.status,
  res.status === 200 ? null : ((await res.json()) as { code: string }).code,
];

describe('rate limits', () => {
  it('limits GET /uid per certificate, then per address', async () => {
    const a = await makeRp(relay.clock.now(), 'A');
    const b = await makeRp(relay.clock.now(), 'B');
    const get = (header: string) =>
      fetch(`${relay.base}/uid`, { headers: { 'disco-client-certificate': header } });
    expect(await statusAndCode(await get(a.header))).toEqual([200, null]);
    expect(await statusAndCode(await get(a.header))).toEqual([200, null]);
    const limited = await get(a.header);
    expect(await statusAndCode(limited)).toEqual([429, 'ERR_RATE_LIMITED']);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await statusAndCode(await get(b.header))).toEqual([200, null]);
    expect(await statusAndCode(await get(b.header))).toEqual([429, 'ERR_RATE_LIMITED']);
    expect(relay.logger.entries.some((e) => e.event === 'rate_limited')).toBe(true);
  });

  it('limits POST /uid and the long-poll per address', async () => {
    const device = await makeDevice();
    const results: number[] = [];
    for (let i = 0; i < 4; i++)
      results.push(
        (await fetch(`${relay.base}/uid`, json(device.pairBody('ZZZZ-ZZZZ', relay.publicUrl))))
          .status,
      );
    expect(results).toEqual([404, 404, 404, 429]);
    const waits: number[] = [];
    for (let i = 0; i < 3; i++)
      waits.push(
        (
          await fetch(`${relay.base}/uid/ZZZZ-ZZZZ/wait`, {
            headers: { authorization: 'Bearer x' },
          })
        ).status,
      );
    expect(waits).toEqual([404, 404, 429]);
  });
});

describe('relay-wide guessing budget', () => {
  it('counts only failed pairings, from everyone', async () => {
    const other = await startTestRelay({ rateLimits: { pairFailuresPerRelay: 2 } });
    try {
      const rp = await makeRp(other.clock.now());
      const uid = async () =>
        (
          (await (
            await fetch(`${other.base}/uid`, { headers: { 'disco-client-certificate': rp.header } })
          ).json()) as { uid: string }
        ).uid;
      const pair = async (u: string) =>
        (await fetch(`${other.base}/uid`, json((await makeDevice()).pairBody(u, other.publicUrl))))
          .status;
      expect(await pair(await uid())).toBe(200);
      expect(await pair('ZZZZ-ZZZZ')).toBe(404);
      expect(await pair(await uid())).toBe(200);
      expect(await pair('ZZZZ-ZZZY')).toBe(404);
      expect(await pair(await uid())).toBe(429);
    } finally {
      await other.close();
    }
  });
});
