/**
 * The notes demo with the real relay's cache of revocation lists (issue #8,
 * src/server/relay/revocation_cache.ts): the device publishes its list when it revokes, goes
 * offline, and the notes server still learns of the revocation from the relay; with nothing new
 * from the device, the server refuses once the cached copy is past the 300 s window.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  certificateReturnUrl,
  grantRequest,
  issueCertificate,
  parseRequestLink,
  peerIdOfIssuer,
  resolveRequest,
  signRevocationList,
} from '../../protocol/certificates/index.js';
import { generateKey, type TestKey } from '../../protocol/certificates/test_keys.js';
import { b64u } from '../../protocol/encoding/index.js';
import { startTestRelay, unreachable } from '../../server/relay/testing.js';
import { startNotes } from './notes.js';

const quiet = { info: () => {}, error: () => {} };
let clock = Date.UTC(2026, 11, 3, 9, 0, 0);
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let notes: Awaited<ReturnType<typeof startNotes>>;
let device: TestKey;
let peer: string;
let state = { sequence: 0, revoked: [] as string[] };
let online = true;

const signList = () =>
  signRevocationList({ issuer: device.publicKey, ...state }, device.sign, clock);

beforeEach(async () => {
  device = await generateKey();
  peer = await peerIdOfIssuer(device.publicKey);
  state = { sequence: 0, revoked: [] };
  online = true;
  relay = await startTestRelay({ clock: { now: () => clock } });
  // the device's engine behind the tunnel: its list, signed at each ask
  relay.link.answer = async (p, req) => {
    if (!online) return unreachable(p, req);
    const list = await signList();
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: new TextEncoder().encode(JSON.stringify({ list: b64u.encode(list.bytes) })),
    };
  };
  notes = await startNotes({ relayUrl: relay.base, port: 0, log: quiet, now: () => clock });
});
afterEach(async () => {
  await notes.stop();
  await relay.close();
});

async function signIn() {
  let cookie = '';
  const call = async (path: string, body: unknown) => {
    const res = await fetch(`${notes.url}${path}`, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        origin: notes.url,
        'content-type': 'application/json',
        ...(cookie ? { cookie } : {}),
      },
      body: JSON.stringify(body),
    });
    cookie = res.headers.get('set-cookie')?.split(';')[0] ?? cookie;
    return {
      status: res.status,
      body: (await res.json()) as { code?: string; request?: { link: string } },
    };
  };
  const started = await call('/api/sign-in', {});
  const resolved = await resolveRequest(parseRequestLink(started.body.request!.link), {
    now: clock,
    fetchBytes: async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer()),
  });
  const certificate = await issueCertificate(
    grantRequest(
      resolved.request,
      {},
      {
        issuer: device.publicKey,
        now: clock,
        nonce: crypto.getRandomValues(new Uint8Array(16)),
        revocationUrl: `${relay.base}/p/${peer}/disco/capability/revocations`,
      },
    ),
    device.sign,
  );
  expect((await fetch(certificateReturnUrl(resolved.request, certificate))).status).toBe(200);
  return { call, certificate };
}

it('a revocation published to the relay stops notes although the device went offline', async () => {
  const { call, certificate } = await signIn();
  expect((await call('/api/session/notes', { note: 'before' })).status).toBe(201);

  // The device revokes, publishes to the relay, and goes offline.
  state = { sequence: 1, revoked: [certificate.id] };
  const put = await fetch(`${relay.base}/capability/revocations/${peer}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ list: b64u.encode((await signList()).bytes) }),
  });
  expect(put.status).toBe(204);
  online = false;

  clock += 61_000; // the server's copy is a minute old: it asks the relay
  const after = await call('/api/session/notes', { note: 'after' });
  expect([after.status, after.body.code]).toEqual([403, 'ERR_CAP_REVOKED']);
});

it('the relay refreshes through the tunnel; with the device away, its copy goes stale at 300 s', async () => {
  const { call } = await signIn();
  expect((await call('/api/session/notes', { note: 'online' })).status).toBe(201);
  online = false;
  clock += 240_000;
  expect((await call('/api/session/notes', { note: '240 s' })).status).toBe(201);
  clock += 61_000;
  const stale = await call('/api/session/notes', { note: '301 s' });
  expect([stale.status, stale.body.code]).toEqual([503, 'ERR_CAP_REVOCATIONS_STALE']);
  online = true;
  clock += 3_000;
  expect((await call('/api/session/notes', { note: 'back' })).status).toBe(201);
  expect(relay.link.requests.every((r) => r.req.path === '/disco/capability/revocations')).toBe(
    true,
  );
});
