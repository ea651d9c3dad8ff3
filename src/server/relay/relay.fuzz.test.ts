import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { ERROR_CODES } from '../../protocol/errors/index.js';
import { checkServerMessage } from '../peer/signal_message.js';
import { makeDevice, makeRp, startTestRelay } from './testing.js';

/**
 * The relay's public endpoints fuzzed through a real relay on 127.0.0.1 (issue #11, "fuzz every
 * trust boundary"; issue #12 points 9–13): every header and body of `/uid`, `/uid/<uid>/wait`,
 * `/p/<peer id>/…`, `/ice-servers`, and the PeerJS socket's ids, tokens and messages. Inputs are
 * random and mutations of valid ones (a real certificate header, a real pairing body, real
 * signalling messages). Seeded, with a fixed number of cases, so a failure names its case and
 * replays. Every HTTP answer comes within its deadline, is under 500 or a typed 503/504, and
 * every error body carries a known code; nothing malformed reaches another peer.
 */
const SEED = 0x12e1a9;
const HTTP_RUNS = 400;
const HANDSHAKE_RUNS = 150;
const MESSAGE_RUNS = 400;
const DEADLINE_MS = 5_000;

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;
let relay: TestRelay;
let rp: Awaited<ReturnType<typeof makeRp>>;
let device: Awaited<ReturnType<typeof makeDevice>>;
let uid: string;

beforeAll(async () => {
  relay = await startTestRelay({ longPollSeconds: 1, tunnelBodyTimeoutMs: 500 });
  rp = await makeRp(relay.clock.now());
  device = await makeDevice();
  const res = await fetch(`${relay.base}/uid`, {
    headers: { 'disco-client-certificate': rp.header },
  });
  uid = ((await res.json()) as { uid: string }).uid;
});
afterAll(() => relay.close());

/** Header values Node will send: printable ASCII and Latin-1, no line breaks. */
const headerValue = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'AZaz09+/=_-%. :,;"\'{}[]\\\t'.split('')), maxLength: 80 }),
  fc.string({
    unit: fc
      .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }))
      .map((c) => String.fromCharCode(c)),
    maxLength: 200,
  }),
  fc.base64String({ maxLength: 400 }),
);

/** A string with one character replaced, one cut, or some inserted: near-valid input. */
function mutated(valid: () => string) {
  return fc
    .tuple(fc.nat(), fc.integer({ min: 0, max: 3 }), fc.string({ maxLength: 6 }))
    .map(([at, how, extra]) => {
      const s = valid();
      const i = s.length === 0 ? 0 : at % s.length;
      if (how === 0) return s.slice(0, i);
      if (how === 1) return `${s.slice(0, i)}${extra}${s.slice(i + 1)}`;
      if (how === 2) return `${s.slice(0, i)}${extra}${s.slice(i)}`;
      return s.slice(i);
    });
}

const pathSegment = fc.oneof(
  fc.constantFrom(
    '',
    '.',
    '..',
    '%2e%2e',
    '%ZZ',
    '%',
    '%00',
    '%E0%A4%A',
    '\\',
    'disco',
    'ABCD-EFGH',
  ),
  fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.~%!$&()*+,;=:@'.split('')), maxLength: 30 }),
);
const peerIds = fc.oneof(
  fc.constant(`disco-${'ab'.repeat(16)}`),
  fc.constant(`disco-${'AB'.repeat(16)}`),
  pathSegment,
);

interface Req {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const bodies = fc.oneof(
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  fc
    .record({
      uid: fc.oneof(fc.constant('ABCD-EFGH'), fc.string({ maxLength: 12 })),
      device_id: fc.oneof(fc.constant('x'), fc.string({ maxLength: 50 })),
      peer_id: peerIds,
      public_key: fc.oneof(
        fc.constant({ kty: 'OKP', crv: 'Ed25519', x: 'AA' }),
        fc.jsonValue({ maxDepth: 2 }),
      ),
      proxy_url: fc.string({ maxLength: 60 }),
    })
    .map((v) => Buffer.from(JSON.stringify(v))),
);

const requests: fc.Arbitrary<Req> = fc.oneof(
  // GET /uid with any certificate header, near-valid ones included, and any callback
  fc
    .record({
      cert: fc.oneof(
        headerValue,
        mutated(() => rp.header),
        mutated(() => rp.pemOneLine),
      ),
      callback: fc.oneof(
        fc.constant(''),
        fc.webUrl().map((u) => `?callback=${encodeURIComponent(u)}`),
        pathSegment.map((s) => `?callback=${s}`),
      ),
    })
    .map(({ cert, callback }) => ({
      method: 'GET',
      path: `/uid${callback}`,
      headers: { 'disco-client-certificate': cert },
    })),
  // POST /uid with any body, near-valid pairing bodies included
  fc
    .record({
      body: fc.oneof(
        bodies,
        mutated(() => JSON.stringify(device.pairBody(uid, relay.publicUrl))).map((s) =>
          Buffer.from(s),
        ),
      ),
      type: fc.oneof(fc.constant('application/json'), headerValue),
    })
    .map(({ body, type }) => ({
      method: 'POST',
      path: '/uid',
      headers: { 'content-type': type },
      ...(body ? { body } : {}),
    })),
  // the long-poll with any uid and any authorization
  fc
    .record({
      seg: fc.oneof(
        pathSegment,
        mutated(() => uid),
      ),
      auth: fc.oneof(
        headerValue,
        headerValue.map((t) => `Bearer ${t}`),
      ),
    })
    .map(({ seg, auth }) => ({
      method: 'GET',
      path: `/uid/${seg}/wait`,
      headers: { authorization: auth },
    })),
  // the tunnel: any method, peer id, path, headers and body
  fc
    .record({
      method: fc.constantFrom(
        'GET',
        'POST',
        'PUT',
        'PATCH',
        'DELETE',
        'OPTIONS',
        'HEAD',
        'TRACE',
        'PROPFIND',
      ),
      peer: peerIds,
      rest: fc.array(pathSegment, { maxLength: 4 }).map((s) => `/${s.join('/')}`),
      disco: fc.boolean(),
      query: fc.oneof(
        fc.constant(''),
        pathSegment.map((s) => `?${s}`),
      ),
      type: headerValue,
      accept: headerValue,
      body: bodies,
    })
    .map(({ method, peer, rest, disco, query, type, accept, body }) => ({
      method,
      path: `/p/${peer}${disco ? '/disco' : ''}${rest}${query}`,
      headers: { 'content-type': type, accept, 'service-worker': '' },
      ...(body && method !== 'GET' && method !== 'HEAD' ? { body } : {}),
    }))
    .map((r) => {
      const headers: Record<string, string> = { ...r.headers };
      delete headers['service-worker'];
      return { ...r, headers };
    }),
  // everything else
  fc
    .record({
      path: fc.array(pathSegment, { maxLength: 3 }).map((s) => `/${s.join('/')}`),
      method: fc.constantFrom('GET', 'POST', 'DELETE'),
    })
    .map(({ path, method }) => ({ method, path, headers: {} })),
  fc.constant({ method: 'GET', path: '/ice-servers', headers: {} }),
);

/** A request target Node will send: anything outside printable ASCII percent-encoded. */
const pathSafe = (path: string) =>
  path.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c).replace(/%25/g, '%'));

/** Sends `r` as it is (fetch would normalize paths and refuse some headers). */
function send(r: Req): Promise<{ status: number; type: string; text: string }> {
  const url = new URL(relay.base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: r.method,
        path: pathSafe(r.path),
        // a body always framed (Node sends a GET's or DELETE's body unframed otherwise)
        headers: r.body ? { ...r.headers, 'content-length': String(r.body.length) } : r.headers,
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('latin1');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), text }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

const deadline = <T>(p: Promise<T>) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('no answer within the deadline')), DEADLINE_MS),
    ),
  ]);

describe('relay HTTP endpoints, fuzzed', () => {
  it(`answers ${HTTP_RUNS} random and near-valid requests typed, under 500, in time`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requests, async (r) => {
        const res = await deadline(send(r));
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status).toBeGreaterThanOrEqual(200);
        if (res.status >= 500)
          expect(['ERR_RELAY_BUSY', 'ERR_DEVICE_UNREACHABLE', 'ERR_TRANSPORT_FAILED']).toContain(
            (JSON.parse(res.text) as { code: string }).code,
          );
        if (res.status >= 400 && r.method !== 'HEAD') {
          expect(res.type).toMatch(/^application\/json/);
          const { code } = JSON.parse(res.text) as { code: string };
          expect(Object.keys(ERROR_CODES)).toContain(code);
        }
      }),
      { seed: SEED, numRuns: HTTP_RUNS },
    );
    expect(statuses.get(500)).toBeUndefined();
    expect(relay.logger.entries.filter((e) => e.event === 'http.error')).toEqual([]);
  });
});

/** Opens a signalling socket with this raw query: its handshake status and first message. */
function handshake(
  query: string,
): Promise<{ status: number; socket?: WebSocket; first?: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${relay.base.replace('http', 'ws')}/peerjs/peerjs?${query}`);
    socket.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
      socket.terminate();
    });
    socket.once('message', (data: Buffer) =>
      resolve({ status: 101, socket, first: JSON.parse(data.toString()) }),
    );
    socket.once('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

describe('PeerJS signalling, fuzzed', () => {
  it(`answers ${HANDSHAKE_RUNS} random handshakes (ids, tokens, keys) with 101 or a typed refusal`, async () => {
    relay.clock.advance(1000);
    const token = await device.token(relay.clock.now());
    const param = fc.oneof(
      pathSegment,
      fc.constant(device.peerId),
      fc.constant(token),
      mutated(() => token),
      mutated(() => device.peerId),
      fc.string({ maxLength: 100 }),
    );
    const query = fc
      .array(fc.tuple(fc.constantFrom('id', 'token', 'key', 'version', 'x'), param), {
        maxLength: 5,
      })
      .map((pairs) => new URLSearchParams(pairs).toString());
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const { status, socket, first } = await deadline(handshake(q));
        expect([101, 400, 401, 403, 503]).toContain(status);
        if (socket) {
          expect(first).toEqual({ type: 'OPEN' });
          socket.close();
        }
      }),
      { seed: SEED, numRuns: HANDSHAKE_RUNS },
    );
    await vi.waitFor(() => expect(relay.relay.peers()).toBe(0));
  });

  it(`forwards only well-formed messages among ${MESSAGE_RUNS} random and mutated ones, and keeps working`, async () => {
    const messages = (socket: WebSocket) => {
      const seen: unknown[] = [];
      socket.on('message', (data: Buffer) => seen.push(JSON.parse(data.toString())));
      return seen;
    };
    const victim = await handshake(
      new URLSearchParams({ key: 'peerjs', id: 'victim', token: 't' }).toString(),
    );
    const attacker = await handshake(
      new URLSearchParams({ key: 'peerjs', id: 'attacker', token: 't' }).toString(),
    );
    const received = messages(victim.socket!);
    const validOffer = {
      type: 'OFFER',
      dst: 'victim',
      payload: {
        type: 'data',
        connectionId: 'dc_1',
        sdp: { type: 'offer', sdp: 'v=0' },
        serialization: 'raw',
        reliable: true,
        label: 'dc_1',
      },
    };
    const validCandidate = {
      type: 'CANDIDATE',
      dst: 'victim',
      payload: {
        type: 'data',
        connectionId: 'dc_1',
        candidate: {
          candidate: 'candidate:1 1 UDP 1 127.0.0.1 5000 typ host',
          sdpMid: '0',
          sdpMLineIndex: 0,
        },
      },
    };
    const anyValue = fc.jsonValue({ maxDepth: 4 });
    const message = fc.oneof(
      anyValue.map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 200 }),
      fc
        .record(
          {
            type: fc.constantFrom(
              'OFFER',
              'ANSWER',
              'CANDIDATE',
              'LEAVE',
              'EXPIRE',
              'HEARTBEAT',
              'OPEN',
              'ERROR',
              'ID-TAKEN',
              'x',
            ),
            dst: fc.oneof(fc.constant('victim'), fc.constant('offline-x'), anyValue),
            payload: fc.oneof(
              anyValue,
              fc.record({
                type: fc.constantFrom('data', 'media', 'x'),
                connectionId: fc.oneof(fc.constant('dc_1'), anyValue),
                sdp: fc.oneof(
                  fc.constant({ type: 'offer', sdp: 'v=0' }),
                  fc.constant({ type: 'answer', sdp: 'v=0' }),
                  anyValue,
                ),
                serialization: fc.oneof(
                  fc.constantFrom('raw', 'json', 'binary', '__proto__', 'constructor', 'toString'),
                  anyValue,
                ),
                candidate: anyValue,
              }),
            ),
          },
          { requiredKeys: ['type'] },
        )
        .map((m) => JSON.stringify(m)),
      mutated(() => JSON.stringify(validOffer)),
      mutated(() => JSON.stringify(validCandidate)),
    );
    await fc.assert(
      fc.asyncProperty(message, async (m) => {
        attacker.socket!.send(m);
        await new Promise((r) => setImmediate(r));
      }),
      { seed: SEED, numRuns: MESSAGE_RUNS },
    );
    attacker.socket!.send(JSON.stringify(validOffer));
    await vi.waitFor(() =>
      expect(received.at(-1)).toMatchObject({ type: 'OFFER', src: 'attacker' }),
    );
    for (const m of received) expect(checkServerMessage(m).ok).toBe(true);
    expect(relay.logger.entries.some((e) => e.event === 'signal.dropped')).toBe(true);
    expect((await fetch(`${relay.base}/healthz`)).status).toBe(200);
    victim.socket!.close();
    attacker.socket!.close();
  });
});
