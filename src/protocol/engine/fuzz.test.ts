import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeDevice } from '../../testing/engine_harness.js';
import { createClientIdentity, sealRequest, type ClientIdentity } from '../../sdk/index.js';
import { b64u, systemRandom, utf8 } from '../encoding/index.js';
import { ERROR_CODES } from '../errors/index.js';
import { seal } from '../jose/index.js';
import { handleRequest } from './handle_request.js';
import { PATHS } from '../messages/paths.js';
import { FUZZ_SEED } from '../fuzz/fixtures.js';

/**
 * Every engine endpoint's body, fuzzed through the real `handleRequest` on a memory store
 * (issue #11, "fuzz every trust boundary"): random bytes, random JSON, valid sealed requests
 * truncated and mutated, well-sealed envelopes around random inner text, and requests signed by
 * a registered client with random claims. Seeded, so a failure names its case and replays.
 * Every answer must be a DiscoError answer under 500, or a sealed 200.
 */
/** The project's one fuzz seed: a failure prints its path, and `{ seed, path }` replays it. */
const SEED = FUZZ_SEED;
const RUNS = 300;

const POSTS = [PATHS.register, PATHS.authorize, PATHS.data] as const;
const PATH_VARIANTS = (p: string) => [p, `${p}?x=/register`, `${p}?`];

async function world() {
  const d = await makeDevice();
  const shopId = await createClientIdentity({ name: 'Shop', clock: d.clock });
  const courierId = await createClientIdentity({ name: 'Courier', kind: 'RSA', clock: d.clock });
  const shop = await d.client('Shop', { identity: shopId });
  const courier = await d.client('Courier', { trusted: true, identity: courierId });
  await shop.register();
  await courier.register();
  const { key_a } = await shop.requestKeyA(['address']);
  const { key_b } = await shop.requestKeyB(
    key_a,
    { clientId: 'courier', thumbprint: courierId.thumbprint },
    ['address'],
  );
  d.person.answer = 'ignore';
  const claims = (iss: string, htu: string, extra: Record<string, unknown>) => {
    const now = Math.floor(d.clock.now() / 1000);
    return {
      iss,
      aud: d.device.deviceId,
      iat: now,
      exp: now + 120,
      jti: b64u.encode(systemRandom(16)),
      htu,
      state: b64u.encode(systemRandom(16)),
      ...extra,
    };
  };
  const secret = (n: string) => `secret-of-${n}-`.padEnd(40, 'x');
  const stranger = await createClientIdentity({ name: 'Stranger', clock: d.clock });
  const bases: Array<{ path: string; me: ClientIdentity; claims: Record<string, unknown> }> = [
    {
      path: PATHS.register,
      me: stranger,
      claims: claims('stranger', PATHS.register, {
        client_id: 'stranger',
        client_name: 'Stranger',
        client_secret: 's'.repeat(40),
        is_trusted: true,
        certificate: stranger.certificatePem,
      }),
    },
    {
      path: PATHS.authorize,
      me: shopId,
      claims: claims('shop', PATHS.authorize, {
        client_secret: secret('Shop'),
        scope: 'key_b address',
      }),
    },
    {
      path: PATHS.authorize,
      me: shopId,
      claims: claims('shop', PATHS.authorize, {
        client_secret: secret('Shop'),
        key_a,
        audience: { client_id: 'courier', 'x5t#S256': courierId.thumbprint },
        scope: 'address',
      }),
    },
    {
      path: PATHS.data,
      me: courierId,
      claims: claims('courier', PATHS.data, { client_secret: secret('Courier'), key_b }),
    },
  ];
  const sealed = await Promise.all(
    bases.map(async (b) => ({ path: b.path, body: await sealRequest(b.claims, b.me, d.device) })),
  );
  return { d, bases, sealed };
}

type World = Awaited<ReturnType<typeof world>>;

/** Strings around the limits the engine checks (128, 512 for store keys, 16 KiB for tokens). */
const edgeString = fc
  .constantFrom(0, 1, 127, 128, 129, 256, 511, 512, 513, 600, 5000, 20000)
  .map((n) => 'i'.repeat(n));

/** One fuzz case: which endpoint, and how its body is made (some need the device's keys). */
const caseArb = (w: World) =>
  fc
    .constantFrom(...POSTS)
    .chain((p) => fc.constantFrom(...PATH_VARIANTS(p)))
    .chain((path) => fc.record({ path: fc.constant(path), body: bodyArb(w, path) }));

const bodyArb = (w: World, path: string) => {
  const text = fc.oneof(fc.string({ maxLength: 300 }), fc.json({ maxDepth: 4 }));
  return fc.oneof(
    fc.uint8Array({ maxLength: 2048 }).map((b) => () => Promise.resolve(b)),
    fc.json({ maxDepth: 6 }).map((j) => () => Promise.resolve(utf8.encode(j))),
    // a valid sealed request, truncated, with a character changed, or with a slice repeated
    fc
      .record({
        i: fc.nat({ max: w.sealed.length - 1 }),
        cut: fc.nat(),
        at: fc.nat(),
        ch: fc.constantFrom('A', '.', '_', '-', '=', ' ', '\u0000', 'é'),
        how: fc.constantFrom('truncate', 'change', 'repeat', 'as-is'),
      })
      .map(({ i, cut, at, ch, how }) => () => {
        const s = w.sealed[i]!.body;
        const k = at % s.length;
        const out =
          how === 'truncate'
            ? s.slice(0, cut % s.length)
            : how === 'change'
              ? s.slice(0, k) + ch + s.slice(k + 1)
              : how === 'repeat'
                ? s + s.slice(k)
                : s;
        return Promise.resolve(utf8.encode(out));
      }),
    // a well-formed envelope to the device around random text, or around a JWS-shaped string
    // with random header and claims and a random signature
    fc
      .oneof(
        text,
        fc
          .tuple(
            fc.json({ maxDepth: 3 }),
            fc.json({ maxDepth: 3 }),
            fc.uint8Array({ maxLength: 64 }),
          )
          .map(([h, p, sig]) =>
            [b64u.encode(utf8.encode(h)), b64u.encode(utf8.encode(p)), b64u.encode(sig)].join('.'),
          ),
      )
      .map(
        (inner) => async () => utf8.encode(await seal(utf8.encode(inner), w.d.device.envelopeJwk)),
      ),
    // a genuinely signed request of a registered client, with claims overwritten at random
    fc
      .record({
        i: fc.nat({ max: w.bases.length - 1 }),
        extra: fc.dictionary(
          fc.constantFrom(
            'iss',
            'aud',
            'iat',
            'exp',
            'jti',
            'htu',
            'state',
            'scope',
            'client_id',
            'client_secret',
            'certificate',
            'auth_req_id',
            'key_a',
            'key_b',
            'audience',
            'is_trusted',
            'client_name',
          ),
          fc.oneof(
            fc.jsonValue({ maxDepth: 2 }),
            fc.string({ maxLength: 700 }),
            edgeString,
            fc.integer(),
            fc.constant(null),
          ),
          { maxKeys: 4 },
        ),
        // htu naming the path exactly as sent, query and all (issue #12, 4)
        htuAsSent: fc.boolean(),
      })
      .map(({ i, extra, htuAsSent }) => async () => {
        const b = w.bases[i]!;
        const c = {
          ...b.claims,
          jti: b64u.encode(systemRandom(16)),
          ...(htuAsSent ? { htu: path } : {}),
          ...extra,
        };
        return utf8.encode(await sealRequest(c, b.me, w.d.device));
      }),
  );
};

describe('fuzz: every engine endpoint body through handleRequest', () => {
  it(`${RUNS} seeded cases: no 5xx, only DiscoError codes or a sealed 200`, async () => {
    const w = await world();
    let ran = 0;
    const codes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(caseArb(w), async ({ path, body }) => {
        ran++;
        const res = await handleRequest(
          { method: 'POST', path, headers: {}, body: await body() },
          w.d.deps,
        );
        if (res.status === 200) {
          expect(res.headers['content-type']).toBe('application/jose');
          codes.set('200', (codes.get('200') ?? 0) + 1);
          return;
        }
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        const parsed = JSON.parse(res.body) as { code: string };
        expect(Object.keys(ERROR_CODES)).toContain(parsed.code);
        codes.set(parsed.code, (codes.get(parsed.code) ?? 0) + 1);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(ran).toBe(RUNS);
    // the cases reach past the envelope: claims, signatures and the endpoints' own checks
    expect(codes.size).toBeGreaterThan(5);
    console.info(`engine fuzz: ${ran} cases (seed ${SEED})`, Object.fromEntries(codes));
  });
});
