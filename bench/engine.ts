// The engine section of `npm run bench`: a whole authorize request, then the engine alone next
// to its own crypto floor (bench/crypto_floor.ts), in the same run.
import { systemRandom, b64u } from '../src/protocol/encoding/index.js';
import { makeDevice } from '../src/testing/engine_harness.js';
import { createClientIdentity, sealRequest } from '../src/sdk/index.js';
import { handleRequest } from '../src/protocol/engine/index.js';
import { createCertificateCache, type CertificateCache } from '../src/protocol/x509/index.js';
import { cryptoFloor } from './crypto_floor.js';
import type { Results } from './results.js';

type Measure = (
  key: string,
  name: string,
  fn: () => Promise<unknown>,
  opts?: { minMs?: number; baseline?: string },
) => Promise<number>;

/** Timed rounds, and requests per batch, of the engine-alone figures. */
const ROUNDS = 50;
const BATCH = 5;

export async function engineSection(results: Results, measure: Measure): Promise<void> {
  console.log(
    '\nA whole authorize request through the engine (MemoryStore; rule-approved, so no waiting)',
  );
  const d = await makeDevice();
  const me = await createClientIdentity({ name: 'Bench Shop', clock: d.clock });
  const shop = await d.client('Bench Shop', { identity: me });
  await shop.register();
  d.person.answer = 'remember';
  await shop.requestKeyA(['address']);
  const authorize = await measure(
    'engine_authorize_with_sdk',
    'sealed, signed request → key A (engine + SDK, warm cache)',
    async () => {
      await shop.requestKeyA(['address']);
    },
  );
  const claims = () => {
    const now = Math.floor(d.clock.now() / 1000);
    return {
      iss: 'bench-shop',
      aud: d.device.deviceId,
      iat: now,
      exp: now + 60,
      htu: '/disco/auth/authorize',
      jti: b64u.encode(systemRandom(16)),
      state: b64u.encode(systemRandom(16)),
      client_secret: 'secret-of-Bench Shop-'.padEnd(40, 'x'),
      scope: 'key_b address',
    };
  };
  /** Requests sealed before the clock starts (each has its own jti and state). */
  const sealed = async (n: number) => {
    const out: Uint8Array[] = [];
    for (let i = 0; i < n; i++)
      out.push(new TextEncoder().encode(await sealRequest(claims(), me, d.device)));
    return out;
  };
  /** The engine alone, `certificates` giving each request its certificate cache. */
  const engine = (certificates: () => CertificateCache) => async (body: Uint8Array) => {
    const res = await handleRequest(
      { method: 'POST', path: '/disco/auth/authorize', headers: {}, body },
      { ...d.deps, certificates: certificates() },
    );
    if (res.status !== 200) throw new Error(`bench request failed: ${res.body}`);
  };
  const warmCache = createCertificateCache();
  const figures = [
    {
      key: 'engine_crypto_floor',
      name: 'its crypto alone, keys imported once (floor)',
      run: await cryptoFloor(d, me),
    },
    {
      key: 'engine_alone_no_cache',
      name: 'engine alone, no certificate kept (baseline)',
      run: engine(() => createCertificateCache({ maxBytes: 1 })),
      baseline: 'engine_crypto_floor',
    },
    {
      key: 'engine_alone_cold_cache',
      name: 'engine alone, cold cache (a new one each time)',
      run: engine(() => createCertificateCache()),
      baseline: 'engine_alone_no_cache',
    },
    {
      key: 'engine_alone_warm_cache',
      name: 'engine alone, warm cache',
      run: engine(() => warmCache),
      baseline: 'engine_alone_no_cache',
    },
  ];
  // Each on requests sealed for it beforehand, five untimed first; then in alternating batches,
  // so that a change in this shared machine's load weighs on all of them alike.
  const ms = new Map<string, number>(figures.map((f) => [f.key, 0]));
  for (const f of figures) for (const body of await sealed(5)) await f.run(body);
  for (let round = 0; round < ROUNDS; round++) {
    for (const f of figures) {
      const bodies = await sealed(BATCH);
      const start = performance.now();
      for (const body of bodies) await f.run(body);
      ms.set(f.key, ms.get(f.key)! + performance.now() - start);
    }
  }
  const rate = new Map<string, number>();
  for (const f of figures) {
    const perSecond = (ROUNDS * BATCH * 1000) / ms.get(f.key)!;
    console.log(`  ${f.name.padEnd(44)} ${perSecond.toFixed(1).padStart(10)} ops/s`);
    rate.set(f.key, results.add(f.key, f.name, perSecond, 'ops/s', f.baseline));
  }
  const floor = rate.get('engine_crypto_floor')!;
  const nothingKept = rate.get('engine_alone_no_cache')!;
  const cold = rate.get('engine_alone_cold_cache')!;
  const warm = rate.get('engine_alone_warm_cache')!;
  const each = (perSecond: number) => `${(1000 / perSecond).toFixed(2)} ms`;
  console.log(
    `  per request: ${each(nothingKept)} parsing the certificate twice (request, then sealed answer), ` +
      `${each(cold)} once, ${each(warm)} never; warm runs at ${(warm / nothingKept).toFixed(2)}× the baseline`,
  );
  const overFloor = results.ratio(
    'engine_over_crypto_floor',
    'engine alone (warm cache), over its own crypto done bare',
    'engine_alone_warm_cache',
    'engine_crypto_floor',
  );
  console.log(
    `  the engine runs at ${(overFloor * 100).toFixed(0)} % of its crypto floor ` +
      `(${each(floor)} of crypto in ${each(warm)} per request)`,
  );
  console.log(
    `  the client side adds ${((warm / authorize - 1) * 100).toFixed(0)} % to a round trip`,
  );
}
