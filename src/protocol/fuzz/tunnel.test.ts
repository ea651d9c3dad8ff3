/**
 * Issue #11: the tunnel's frames both ways (docs/wire/tunnel.md), fuzzed. Frames are truncated,
 * reordered, duplicated, oversized, sent with wrong ids or of the wrong kind, and interleaved.
 * What must hold: `receive` never throws; a frame that breaks the rules fails only its own message
 * (or is ignored when it belongs to none); every pending request ends by its deadline; what
 * arrives whole arrives exact; the answering end is never stuck. Seeded and counted.
 */
import fc from 'fast-check';
import { Encoder } from 'cbor-x';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isDiscoError } from '../errors/index.js';
import { decodeFrame, encodeFrame, TUNNEL_CHUNK_BYTES } from '../tunnel/frames.js';
import { TunnelClient } from '../tunnel/tunnel_client.js';
import { TunnelServer } from '../tunnel/tunnel_server.js';
import { TUNNEL_MAX_FRAME_BYTES, type TunnelResponse } from '../tunnel/types.js';
import { FUZZ_SEED } from './fixtures.js';

const RUNS = 200;
const DEADLINE_MS = 1_000;
// The frame encoder without the checks `encodeFrame` makes: hostile frames need it.
const raw = new Encoder({ useRecords: false, tagUint8Array: false });
const rawFrame = (v: unknown) => new Uint8Array(raw.encode(v) as Uint8Array);
const fill = (value: number, size: number) => new Uint8Array(size).fill(value);

/** One frame a hostile or broken peer may send, as a recipe (ids are picked from `ids`). */
type Op =
  | { t: 'honest'; to: number }
  | { t: 'head'; to: number; status: number; n: number }
  | { t: 'req'; to: number; path: string; n: number }
  | { t: 'chunk'; to: number; i: number; size: number }
  | { t: 'cancel'; to: number }
  | { t: 'garbage'; bytes: Uint8Array }
  | { t: 'truncate'; of: number; at: number }
  | { t: 'duplicate'; of: number }
  | { t: 'oversize'; to: number; what: 'frame' | 'chunk' | 'n' };

/** `to` < 0 means an id nobody uses; otherwise an index into the ids in play. */
const target = fc.oneof({ weight: 5, arbitrary: fc.nat({ max: 3 }) }, fc.constant(-1));
const op: fc.Arbitrary<Op> = fc.oneof(
  // the next frame of the message a well-behaved peer sends for that id (see `honestFrames`)
  {
    weight: 8,
    arbitrary: fc.record({ t: fc.constant('honest' as const), to: fc.nat({ max: 3 }) }),
  },
  fc.record({
    t: fc.constant('head' as const),
    to: target,
    status: fc.oneof(fc.constantFrom(200, 404, 599), fc.integer({ min: -1, max: 1000 })),
    n: fc.oneof(fc.nat({ max: 3 }), fc.constantFrom(-1, 1.5, 2 ** 40)),
  }),
  fc.record({
    t: fc.constant('req' as const),
    to: target,
    path: fc.oneof(
      fc.constantFrom('/disco/x', '//evil.example/x', '/\\evil', 'disco', '/a b', ''),
      fc.string({ maxLength: 20 }),
    ),
    n: fc.oneof(fc.nat({ max: 3 }), fc.constantFrom(-1, 2 ** 40)),
  }),
  fc.record({
    t: fc.constant('chunk' as const),
    to: target,
    i: fc.oneof(fc.nat({ max: 3 }), fc.constantFrom(-1, 2 ** 32)),
    size: fc.integer({ min: 0, max: 40 }),
  }),
  fc.record({ t: fc.constant('cancel' as const), to: target }),
  fc.record({ t: fc.constant('garbage' as const), bytes: fc.uint8Array({ maxLength: 64 }) }),
  fc.record({ t: fc.constant('truncate' as const), of: fc.nat(), at: fc.nat() }),
  fc.record({ t: fc.constant('duplicate' as const), of: fc.nat() }),
  fc.record({
    t: fc.constant('oversize' as const),
    to: target,
    what: fc.constantFrom('frame' as const, 'chunk' as const, 'n' as const),
  }),
);

/**
 * What a well-behaved peer sends for `id`: a head announcing two chunks, then the chunks (index 1
 * first: chunks may come in any order). `kind` is the head a request (`req`) or answer (`res`) has.
 */
function honestFrames(kind: 'req' | 'res', id: number): Uint8Array[] {
  const head =
    kind === 'req'
      ? encodeFrame({ t: 'req', id, method: 'POST', path: '/disco/x', headers: {}, n: 2 })
      : encodeFrame({ t: 'res', id, status: 200, headers: {}, n: 2 });
  return [
    head,
    encodeFrame({ t: 'chunk', id, i: 1, data: fill(2, 3) }),
    encodeFrame({ t: 'chunk', id, i: 0, data: fill(1, 5) }),
  ];
}

/** Turns recipes into bytes; `sent` collects them so later recipes can truncate or repeat them. */
function render(ops: readonly Op[], ids: readonly number[], kind: 'req' | 'res'): Uint8Array[] {
  const idOf = (to: number) => (to < 0 || to >= ids.length ? 0xfffffff0 : ids[to]!);
  const honest = ids.map((id) => honestFrames(kind, id));
  const sent: Uint8Array[] = [];
  for (const o of ops) {
    let bytes: Uint8Array;
    switch (o.t) {
      case 'honest': {
        const next = honest[o.to]?.shift();
        if (!next) continue;
        bytes = next;
        break;
      }
      case 'head':
        bytes = rawFrame({ t: 'res', id: idOf(o.to), status: o.status, headers: {}, n: o.n });
        break;
      case 'req':
        bytes = rawFrame({
          t: 'req',
          id: idOf(o.to),
          method: 'POST',
          path: o.path,
          headers: {},
          n: o.n,
        });
        break;
      case 'chunk':
        // byte value = index + 1, so a reassembled body shows which chunk went where
        bytes = rawFrame({ t: 'chunk', id: idOf(o.to), i: o.i, data: fill(o.i + 1, o.size) });
        break;
      case 'cancel':
        bytes = encodeFrame({ t: 'cancel', id: idOf(o.to) });
        break;
      case 'garbage':
        bytes = o.bytes;
        break;
      case 'truncate': {
        const of = sent[o.of % Math.max(1, sent.length)] ?? new Uint8Array([0xa1]);
        bytes = of.slice(0, o.at % Math.max(1, of.length));
        break;
      }
      case 'duplicate':
        bytes = sent[o.of % Math.max(1, sent.length)] ?? new Uint8Array(0);
        break;
      case 'oversize': {
        const id = idOf(o.to);
        bytes =
          o.what === 'frame'
            ? new Uint8Array(TUNNEL_MAX_FRAME_BYTES + 1)
            : o.what === 'chunk'
              ? rawFrame({ t: 'chunk', id, i: 0, data: fill(1, TUNNEL_CHUNK_BYTES + 1) })
              : rawFrame({ t: 'res', id, status: 200, headers: {}, n: 1_000_000 });
      }
    }
    sent.push(bytes);
  }
  return sent;
}

type Settled = { ok: TunnelResponse } | { code: string } | { foreign: unknown };

function track(p: Promise<TunnelResponse>): { result?: Settled } {
  const box: { result?: Settled } = {};
  p.then(
    (ok) => (box.result = { ok }),
    (err: unknown) => (box.result = isDiscoError(err) ? { code: err.code } : { foreign: err }),
  );
  return box;
}

/**
 * The body the asker may assemble for `id` from the frames it was given: the first head that
 * decodes sets `n`, then for each index the first chunk that decodes, in index order. A complete
 * answer must be exactly this (repeats and frames after completion fail or are ignored).
 */
function expectedBody(frames: readonly Uint8Array[], id: number): Uint8Array | undefined {
  let n: number | undefined;
  const parts = new Map<number, Uint8Array>();
  for (const bytes of frames) {
    let f;
    try {
      f = decodeFrame(bytes);
    } catch {
      continue;
    }
    if (f.id !== id) continue;
    if (f.t === 'res' && n === undefined) n = f.n;
    else if (f.t === 'chunk' && n !== undefined && !parts.has(f.i)) parts.set(f.i, f.data);
  }
  if (n === undefined) return undefined;
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(...(parts.get(i) ?? []));
  return new Uint8Array(out);
}

/** Fisher–Yates with the test's own random stream. */
function shuffle<T>(items: readonly T[], picks: Iterator<number>): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = (picks.next().value as number) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('tunnel frames, fuzzed', () => {
  it(`asking end: ${RUNS} hostile answer sequences — every request ends by its deadline, typed`, async () => {
    let runs = 0;
    let completed = 0; // answers that got through whole: the property is not vacuous
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(op, { minLength: 12, maxLength: 40 }),
        async (count, ops) => {
          runs++;
          const toDevice: Uint8Array[] = [];
          const client = new TunnelClient({
            send: (f) => toDevice.push(f),
            timeoutMs: DEADLINE_MS,
          });
          const boxes = Array.from({ length: count }, (_, k) =>
            track(client.request({ method: 'GET', path: `/disco/${k}`, headers: {} })),
          );
          const ids = toDevice.map((f) => decodeFrame(f).id);
          const frames = render(ops, ids, 'res');
          for (const frame of frames) expect(() => client.receive(frame)).not.toThrow();
          await vi.advanceTimersByTimeAsync(DEADLINE_MS);
          expect(client.inFlight).toBe(0);
          boxes.forEach((box, k) => {
            const result = box.result;
            expect(result).toBeDefined();
            expect(result).not.toHaveProperty('foreign');
            if (result && 'ok' in result) {
              completed++;
              // An answer that completes is exactly what its frames carried.
              expect(result.ok.status).toBeGreaterThanOrEqual(200);
              expect(result.ok.body).toEqual(expectedBody(frames, ids[k]!));
            }
          });
          // Every frame the client sent (requests, cancels) is a valid frame.
          for (const f of toDevice) expect(['req', 'cancel']).toContain(decodeFrame(f).t);
        },
      ),
      { seed: FUZZ_SEED, numRuns: RUNS },
    );
    expect(runs).toBe(RUNS);
    expect(completed).toBeGreaterThan(RUNS / 10);
  });

  it(`answering end: ${RUNS} hostile request sequences — typed answers only, never stuck`, async () => {
    let runs = 0;
    let handledTotal = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 12, maxLength: 40 }), async (ops) => {
        runs++;
        const toAsker: Uint8Array[] = [];
        const handled: { path: string; body?: Uint8Array }[] = [];
        const server = new TunnelServer({
          send: (f) => toAsker.push(f),
          handle: (req) => {
            handled.push({ path: req.path, ...(req.body ? { body: req.body } : {}) });
            return Promise.resolve({ status: 200, headers: {}, body: req.body ?? fill(0, 0) });
          },
        });
        const ids = [1, 2, 3, 4];
        for (const frame of render(ops, ids, 'req'))
          expect(() => server.receive(frame)).not.toThrow();
        await vi.advanceTimersByTimeAsync(0);
        for (const f of toAsker) expect(['res', 'chunk']).toContain(decodeFrame(f).t);
        // The handler sees only well-formed requests for paths of the device's own origin.
        for (const h of handled) expect(h.path).toMatch(/^\/(?!\/)[!-[\]-~]*$/);
        handledTotal += handled.length;
        // What the asker does at its deadline (cancel every id), then a new request is answered.
        for (const id of [...ids, 0xfffffff0]) server.receive(encodeFrame({ t: 'cancel', id }));
        toAsker.length = 0;
        server.receive(
          encodeFrame({ t: 'req', id: 99, method: 'GET', path: '/disco/ok', headers: {}, n: 0 }),
        );
        await vi.advanceTimersByTimeAsync(0);
        const answer = toAsker.map((f) => decodeFrame(f));
        expect(answer[0]).toMatchObject({ t: 'res', id: 99, status: 200 });
      }),
      { seed: FUZZ_SEED, numRuns: RUNS },
    );
    expect(runs).toBe(RUNS);
    expect(handledTotal).toBeGreaterThan(RUNS / 10);
  });

  it(`both ends through a channel that drops, repeats, truncates and reorders: ${RUNS} runs, every request settles by its deadline`, async () => {
    type Fault = 'deliver' | 'drop' | 'repeat' | 'truncate' | 'hold';
    const fault: fc.Arbitrary<Fault> = fc.oneof(
      { weight: 6, arbitrary: fc.constant('deliver' as const) },
      fc.constantFrom('drop' as const, 'repeat' as const, 'truncate' as const, 'hold' as const),
    );
    let runs = 0;
    let delivered = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 2 * TUNNEL_CHUNK_BYTES + 1 }), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.infiniteStream(fault),
        async (sizes, faults) => {
          runs++;
          const held: (() => void)[] = [];
          const channel = (deliver: (f: Uint8Array) => void) => (f: Uint8Array) => {
            const next = faults.next().value;
            const later = (g: () => void) => setTimeout(g, 0);
            if (next === 'deliver') later(() => deliver(f));
            else if (next === 'repeat') later(() => (deliver(f), deliver(f)));
            else if (next === 'truncate') later(() => deliver(f.slice(0, f.length >> 1)));
            else if (next === 'hold') held.push(() => deliver(f)); // delivered after later frames
          };
          const server: TunnelServer = new TunnelServer({
            send: channel((f) => client.receive(f)),
            handle: (req) =>
              Promise.resolve({ status: 200, headers: {}, body: req.body ?? fill(0, 0) }),
          });
          const client: TunnelClient = new TunnelClient({
            send: channel((f) => server.receive(f)),
            timeoutMs: DEADLINE_MS,
          });
          const bodies = sizes.map((n, k) => fill(k + 1, n));
          const boxes = bodies.map((body) =>
            track(client.request({ method: 'POST', path: '/disco/echo', headers: {}, body })),
          );
          await vi.advanceTimersByTimeAsync(10);
          while (held.length) held.splice(0).forEach((g) => g());
          await vi.advanceTimersByTimeAsync(DEADLINE_MS);
          expect(client.inFlight).toBe(0);
          boxes.forEach((box, k) => {
            expect(box.result).toBeDefined();
            expect(box.result).not.toHaveProperty('foreign');
            if (!box.result || !('ok' in box.result)) return;
            const { status, body } = box.result.ok;
            if (status === 200) {
              delivered++;
              expect(Buffer.from(body).equals(bodies[k]!)).toBe(true);
            } else {
              // The device refused a request the channel broke, with a typed wire error.
              expect(status).toBeGreaterThanOrEqual(400);
              expect(JSON.parse(Buffer.from(body).toString())).toHaveProperty('code');
            }
          });
        },
      ),
      { seed: FUZZ_SEED, numRuns: RUNS },
    );
    expect(runs).toBe(RUNS);
    expect(delivered).toBeGreaterThan(RUNS / 10);
  });

  it(`interleaved answers with chunks in any order are reassembled exactly (${RUNS} runs)`, async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 4 }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.infiniteStream(fc.nat()),
        async (chunkSizes, picks) => {
          runs++;
          const toDevice: Uint8Array[] = [];
          const client = new TunnelClient({
            send: (f) => toDevice.push(f),
            timeoutMs: DEADLINE_MS,
          });
          const boxes = chunkSizes.map((_, k) =>
            track(client.request({ method: 'GET', path: `/disco/${k}`, headers: {} })),
          );
          const ids = toDevice.map((f) => decodeFrame(f).id);
          // Each message's head first, then its chunks in any order, messages interleaved.
          const queues = chunkSizes.map((sizes, k) => [
            encodeFrame({ t: 'res', id: ids[k]!, status: 200, headers: {}, n: sizes.length }),
            ...shuffle(
              sizes.map((size, i) => ({ size, i })),
              picks,
            ).map(({ size, i }) =>
              encodeFrame({ t: 'chunk', id: ids[k]!, i, data: fill(i + 1, size) }),
            ),
          ]);
          while (queues.some((q) => q.length)) {
            const open = queues.filter((q) => q.length);
            client.receive(open[picks.next().value % open.length]!.shift()!);
          }
          await vi.advanceTimersByTimeAsync(0);
          boxes.forEach((box, k) => {
            const expected = new Uint8Array(
              chunkSizes[k]!.flatMap((size, i) => [...fill(i + 1, size)]),
            );
            expect(box.result).toEqual({ ok: { status: 200, headers: {}, body: expected } });
          });
        },
      ),
      { seed: FUZZ_SEED, numRuns: RUNS },
    );
    expect(runs).toBe(RUNS);
  });
});

describe('tunnel frames that break the rules, row by row (docs/wire/tunnel.md)', () => {
  const head = (id: number, n: number) =>
    encodeFrame({ t: 'res', id, status: 200, headers: {}, n });
  const chunk = (id: number, i: number) => encodeFrame({ t: 'chunk', id, i, data: fill(1, 1) });

  function asker() {
    const toDevice: Uint8Array[] = [];
    const client = new TunnelClient({ send: (f) => toDevice.push(f), timeoutMs: DEADLINE_MS });
    const box = track(client.request({ method: 'GET', path: '/disco/x', headers: {} }));
    return { client, box, id: decodeFrame(toDevice[0]!).id, toDevice };
  }

  it.each([
    ['a second head', (id: number) => [head(id, 1), head(id, 1)]],
    ['a chunk before its head', (id: number) => [chunk(id, 0), head(id, 1)]],
    ['a repeated chunk index', (id: number) => [head(id, 2), chunk(id, 0), chunk(id, 0)]],
    ["a chunk past the head's n", (id: number) => [head(id, 1), chunk(id, 1)]],
  ])(
    'asking end: %s fails that request with ERR_INVALID_INPUT and cancels it',
    async (_, frames) => {
      const { client, box, id, toDevice } = asker();
      for (const f of frames(id)) client.receive(f);
      await vi.advanceTimersByTimeAsync(0);
      expect(box.result).toEqual({ code: 'ERR_INVALID_INPUT' });
      expect(decodeFrame(toDevice.at(-1)!)).toEqual({ t: 'cancel', id });
    },
  );

  it('asking end: garbage, other ids and frames of the other direction are ignored', async () => {
    const { client, box, id } = asker();
    client.receive(new Uint8Array([0xff, 0x00]));
    client.receive(head(id + 1, 0));
    client.receive(encodeFrame({ t: 'cancel', id }));
    client.receive(encodeFrame({ t: 'req', id, method: 'GET', path: '/x', headers: {}, n: 0 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(box.result).toBeUndefined();
    client.receive(head(id, 0));
    await vi.advanceTimersByTimeAsync(0);
    expect(box.result).toMatchObject({ ok: { status: 200 } });
  });

  function device() {
    const toAsker: Uint8Array[] = [];
    let handled = 0;
    const server = new TunnelServer({
      send: (f) => toAsker.push(f),
      handle: () => {
        handled++;
        return Promise.resolve({ status: 200, headers: {}, body: fill(0, 0) });
      },
    });
    const heads = () =>
      toAsker.map((f) => decodeFrame(f)).filter((f) => f.t === 'res') as { status: number }[];
    return { server, heads, handled: () => handled };
  }
  const req = (id: number, n: number) =>
    encodeFrame({ t: 'req', id, method: 'POST', path: '/disco/x', headers: {}, n });

  it('answering end: a repeated chunk index or one past n gets 400 ERR_INVALID_INPUT', async () => {
    for (const frames of [
      [req(1, 2), chunk(1, 0), chunk(1, 0)],
      [req(1, 1), chunk(1, 1)],
    ]) {
      const d = device();
      for (const f of frames) d.server.receive(f);
      await vi.advanceTimersByTimeAsync(0);
      expect(d.heads().map((h) => h.status)).toEqual([400]);
      expect(d.handled()).toBe(0);
    }
  });

  it('answering end: a chunk before its head, a second head and answers are ignored', async () => {
    const d = device();
    d.server.receive(chunk(1, 0));
    d.server.receive(head(1, 0));
    d.server.receive(req(2, 1));
    d.server.receive(req(2, 0)); // id 2 is in flight: the first one is answered
    d.server.receive(chunk(2, 0));
    await vi.advanceTimersByTimeAsync(0);
    expect(d.heads().map((h) => h.status)).toEqual([200]);
    expect(d.handled()).toBe(1);
  });
});
