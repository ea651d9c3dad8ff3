/**
 * The notes demo end to end in Node (issue #8): sign in through the request link and the return
 * path, with a device-side signer made here (real Ed25519 via WebCrypto, non-extractable), post
 * signed notes, and see them refused after a revocation, pulled through the relay tunnel URL or
 * pushed, and when the device's list goes stale.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  certificateReturnUrl,
  createInvocation,
  grantRequest,
  issueCertificate,
  parseProtocolLink,
  parseRequestLink,
  resolveRequest,
  signRevocationList,
  type Certificate,
  type RevocationList,
} from '../../protocol/certificates/index.js';
import { generateKey, type TestKey } from '../../protocol/certificates/test_keys.js';
import { b64u, utf8 } from '../../protocol/encoding/index.js';
import { startNotes } from './notes.js';

const RELAY = 'http://127.0.0.1:9';
const PEER = 'disco-0123456789abcdef0123456789abcdef';
const REV_URL = `${RELAY}/p/${PEER}/disco/capability/revocations`;
/** Where the server asks: the relay's cache of the device's list (src/server/relay/revocation_cache.ts). */
const CACHE_URL = `${RELAY}/capability/revocations/${PEER}`;
/** The JSON answers this test reads. */
interface Answer {
  code?: string;
  id?: string;
  signed_in?: boolean;
  request?: { link: string; protocol_link: string; qr_image: string };
  account?: { name: string | null };
  notes?: { text: string }[];
}

const quiet = { info: () => {}, error: () => {} };

let clock = Date.UTC(2026, 11, 3, 9, 0, 0);
let device: TestKey;
let deviceList: RevocationList;
let deviceOnline = true;
/** When set, the tunnel answers this body instead of the list (a misbehaving device). */
let deviceAnswer: Uint8Array | undefined;
/** Answer as the device's engine does (`{ list }` JSON, its answers are text), not raw CBOR. */
let deviceJson = false;
let notes: Awaited<ReturnType<typeof startNotes>>;

/**
 * The relay's cache as it answers while the device is online (a freshly signed list: it asked
 * the device), or, offline, 504 as with nothing cached. relay_cache.test.ts runs the real relay.
 */
const tunnelFetch: typeof fetch = async (input) => {
  const url = input instanceof Request ? input.url : String(input);
  if (url !== CACHE_URL || !deviceOnline) return new Response('unreachable', { status: 504 });
  if (deviceAnswer) return new Response(new Uint8Array(deviceAnswer));
  const fresh = await signRevocationList(
    { issuer: device.publicKey, sequence: deviceList.sequence, revoked: deviceList.revoked },
    device.sign,
    clock,
  );
  if (deviceJson) return Response.json({ list: b64u.encode(fresh.bytes) });
  return new Response(new Uint8Array(fresh.bytes), {
    headers: { 'content-type': 'application/cbor' },
  });
};

async function revoke(ids: string[]) {
  deviceList = await signRevocationList(
    {
      issuer: device.publicKey,
      sequence: deviceList.sequence + 1,
      revoked: [...deviceList.revoked, ...ids],
    },
    device.sign,
    clock,
  );
}

beforeEach(async () => {
  clock = Date.UTC(2026, 11, 3, 9, 0, 0);
  deviceOnline = true;
  deviceAnswer = undefined;
  deviceJson = false;
  device = await generateKey();
  deviceList = await signRevocationList(
    { issuer: device.publicKey, sequence: 0, revoked: [] },
    device.sign,
    clock,
  );
  notes = await startNotes({
    relayUrl: RELAY,
    deviceUrl: 'http://127.0.0.1:8710',
    port: 0,
    log: quiet,
    now: () => clock,
    fetch: tunnelFetch,
  });
});
afterEach(() => notes.stop());

/** A browser tab on the notes page: its cookie, same-origin JSON posts. */
function browser() {
  let cookie = '';
  const call = async (path: string, body?: unknown) => {
    const res = await fetch(`${notes.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        accept: 'application/json',
        origin: notes.url,
        ...(cookie ? { cookie } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0]!;
    return { status: res.status, body: (await res.json()) as Answer };
  };
  return { call };
}

/** The person scans the QR code: the device fetches the request, approves it, signs. */
async function approve(link: string, choices: { name?: string } = {}) {
  const resolved = await resolveRequest(parseRequestLink(link), {
    now: clock,
    fetchBytes: async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer()),
  });
  const input = grantRequest(
    resolved.request,
    choices.name ? { profile: { name: choices.name } } : {},
    {
      issuer: device.publicKey,
      now: clock,
      nonce: crypto.getRandomValues(new Uint8Array(16)),
      revocationUrl: REV_URL,
    },
  );
  return { resolved, certificate: await issueCertificate(input, device.sign) };
}

async function signedInTab() {
  const tab = browser();
  const started = await tab.call('/api/sign-in', {});
  expect(started.status).toBe(201);
  const { resolved, certificate } = await approve(started.body.request!.link, {
    name: 'Ada',
  });
  const back = await fetch(certificateReturnUrl(resolved.request, certificate));
  expect(back.status).toBe(200);
  return { tab, resolved, certificate };
}

/** Another app that holds its own key and a certificate from the same device. */
async function otherApp(): Promise<{ app: TestKey; cert: Certificate }> {
  const app = await generateKey();
  const cert = await issueCertificate(
    {
      issuer: device.publicKey,
      subject: app.publicKey,
      capabilities: [{ resource: `${notes.url}/notes/*`, actions: ['create'] }],
      notBefore: Math.floor(clock / 1000),
      expiresAt: Math.floor(clock / 1000) + 3600,
      nonce: crypto.getRandomValues(new Uint8Array(16)),
      revocationUrl: REV_URL,
    },
    device.sign,
  );
  return { app, cert };
}

async function signedNote(
  app: TestKey,
  chain: Certificate[],
  note: string,
  over: { digestOf?: string } = {},
) {
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', new Uint8Array(utf8.encode(over.digestOf ?? note))),
  );
  const { bytes } = await createInvocation(
    {
      invoker: app.publicKey,
      audience: notes.url,
      resource: `${notes.url}/notes/main`,
      action: 'create',
      digest,
      proofs: chain.map((c) => c.id),
      nonce: crypto.getRandomValues(new Uint8Array(16)),
    },
    app.sign,
    clock,
  );
  return {
    note,
    invocation: b64u.encode(bytes),
    certificates: chain.map((c) => b64u.encode(c.bytes)),
  };
}

async function postPublic(body: unknown, raw?: string) {
  const res = await fetch(`${notes.url}/api/notes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ?? JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Answer };
}

describe('Demo Notes', () => {
  it('signs in by QR/link and return path, shows the origin as verified, and takes notes', async () => {
    const { tab, resolved, certificate } = await signedInTab();
    expect(resolved.status).toBe('verified');
    expect(resolved.origin).toBe(notes.url);
    expect(resolved.request.name).toBe('Demo Notes');
    expect(certificate.profile).toEqual({ name: 'Ada' });

    const state = await tab.call('/api/state');
    expect(state.body).toMatchObject({ signed_in: true, account: { name: 'Ada' } });
    const added = await tab.call('/api/session/notes', { note: 'Buy oat milk' });
    expect(added.status).toBe(201);
    const lines = await tab.call('/api/session/notes', { note: '  two\n\tlines\n' });
    expect(lines.status).toBe(201);
    expect(lines.body.notes!.map((n) => n.text)).toEqual(['  two\n\tlines\n', 'Buy oat milk']);
    const control = await tab.call('/api/session/notes', { note: 'bell\u0007' });
    expect([control.status, control.body.code]).toEqual([400, 'ERR_INVALID_INPUT']);
  });

  it('serves the request document to any origin and links the device app', async () => {
    const tab = browser();
    const started = await tab.call('/api/sign-in', {});
    const link = started.body.request!.link;
    expect(link.startsWith('http://127.0.0.1:8710/#/capability?request_uri=')).toBe(true);
    expect(started.body.request!.qr_image).toMatch(/^data:image\/svg\+xml;base64,/);
    const ref = parseRequestLink(link);
    if (ref.kind !== 'uri') throw new Error('expected a request_uri link');
    const res = await fetch(ref.uri);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('content-type')).toBe('application/cbor');
    // The web+disco: link beside it names the same document, by the same hash.
    const protocolLink = started.body.request!.protocol_link;
    expect(protocolLink.startsWith('web+disco:capability?request_uri=')).toBe(true);
    expect(parseProtocolLink(protocolLink)).toEqual(ref);
  });

  it('accepts notes from another app of the same device through the public API, once each', async () => {
    await signedInTab();
    const { app, cert } = await otherApp();
    const body = await signedNote(app, [cert], 'From another app');
    expect((await postPublic(body)).status).toBe(201);
    const replay = await postPublic(body);
    expect([replay.status, replay.body.code]).toEqual([400, 'ERR_CAP_REPLAYED']);
    const tampered = await signedNote(app, [cert], 'Edited on the way', { digestOf: 'Original' });
    expect((await postPublic(tampered)).body.code).toBe('ERR_CAP_DIGEST_MISMATCH');
    const thief = await generateKey();
    const stolen = await signedNote(thief, [cert], 'Not mine');
    expect((await postPublic(stolen)).body.code).toBe('ERR_CAP_WRONG_SUBJECT');
  });

  it('refuses notes of a device nobody signed in with', async () => {
    const { app, cert } = await otherApp();
    const res = await postPublic(await signedNote(app, [cert], 'hello'));
    expect([res.status, res.body.code]).toEqual([403, 'ERR_CAP_UNTRUSTED_ISSUER']);
  });

  it('refuses notes after a revocation: pulled through the tunnel within a minute, or pushed at once', async () => {
    const { tab, certificate } = await signedInTab();
    const { app, cert } = await otherApp();
    expect((await tab.call('/api/session/notes', { note: 'before' })).status).toBe(201);

    // Pushed: the other app's certificate stops at once.
    await revoke([cert.id]);
    const push = await fetch(`${notes.url}/disco/revocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ list: b64u.encode(deviceList.bytes) }),
    });
    expect(push.status).toBe(204);
    const refused = await postPublic(await signedNote(app, [cert], 'after'));
    expect([refused.status, refused.body.code]).toEqual([403, 'ERR_CAP_REVOKED']);

    // Pulled: the session's certificate is revoked on the device only; the server asks again
    // once its list is a minute old.
    await revoke([certificate.id]);
    expect((await tab.call('/api/session/notes', { note: 'still cached' })).status).toBe(201);
    clock += 61_000;
    const late = await tab.call('/api/session/notes', { note: 'after pull' });
    expect([late.status, late.body.code]).toEqual([403, 'ERR_CAP_REVOKED']);

    // An older list pushed again is a rollback.
    const old = await signRevocationList(
      { issuer: device.publicKey, sequence: 0, revoked: [] },
      device.sign,
      clock,
    );
    const rollback = await fetch(`${notes.url}/disco/revocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ list: b64u.encode(old.bytes) }),
    });
    expect(rollback.status).toBe(400);
    expect(((await rollback.json()) as { code: string }).code).toBe('ERR_CAP_REVOCATIONS_ROLLBACK');
  });

  it("takes the device engine's JSON answer, and pulls as often as revocationPullAfterMs says", async () => {
    await notes.stop();
    notes = await startNotes({
      relayUrl: RELAY,
      deviceUrl: 'http://127.0.0.1:8710',
      log: quiet,
      now: () => clock,
      fetch: tunnelFetch,
      revocationPullAfterMs: 0,
    });
    deviceJson = true;
    const { tab, certificate } = await signedInTab();
    expect((await tab.call('/api/session/notes', { note: 'before' })).status).toBe(201);
    await revoke([certificate.id]);
    clock += 2_001; // pulls of one device stay 2 s apart
    const late = await tab.call('/api/session/notes', { note: 'after pull' });
    expect([late.status, late.body.code]).toEqual([403, 'ERR_CAP_REVOKED']);
  });

  it('refuses every note once the device list is older than 300 s (device offline)', async () => {
    const { tab } = await signedInTab();
    expect((await tab.call('/api/session/notes', { note: 'online' })).status).toBe(201);
    deviceOnline = false;
    clock += 240_000;
    expect((await tab.call('/api/session/notes', { note: 'list 240 s old' })).status).toBe(201);
    clock += 61_000;
    const stale = await tab.call('/api/session/notes', { note: 'list 301 s old' });
    expect([stale.status, stale.body.code]).toEqual([503, 'ERR_CAP_REVOCATIONS_STALE']);
    deviceOnline = true;
    clock += 3_000;
    expect((await tab.call('/api/session/notes', { note: 'back online' })).status).toBe(201);
  });

  it('never takes an oversized or foreign list from the tunnel, and then refuses notes', async () => {
    const { tab } = await signedInTab();
    deviceAnswer = new Uint8Array(50_000);
    const huge = await tab.call('/api/session/notes', { note: 'no list yet' });
    expect([huge.status, huge.body.code]).toEqual([503, 'ERR_CAP_REVOCATIONS_STALE']);
    const stranger = await generateKey();
    deviceAnswer = (
      await signRevocationList(
        { issuer: stranger.publicKey, sequence: 9, revoked: [] },
        stranger.sign,
        clock,
      )
    ).bytes;
    clock += 3_000;
    const foreign = await tab.call('/api/session/notes', { note: 'a stranger signed it' });
    expect([foreign.status, foreign.body.code]).toEqual([503, 'ERR_CAP_REVOCATIONS_STALE']);
    deviceAnswer = undefined;
    clock += 3_000;
    expect((await tab.call('/api/session/notes', { note: 'the real list' })).status).toBe(201);
  });

  it('refuses a certificate for another key, or for no pending sign-in, on the return path', async () => {
    const tab = browser();
    const started = await tab.call('/api/sign-in', {});
    const { resolved } = await approve(started.body.request!.link);
    const stranger = await generateKey();
    const wrong = await issueCertificate(
      {
        ...grantRequest(
          resolved.request,
          {},
          { issuer: device.publicKey, now: clock, nonce: new Uint8Array(16) },
        ),
        subject: stranger.publicKey,
      },
      device.sign,
    );
    const res = await fetch(`${notes.url}/return?certificate=${b64u.encode(wrong.bytes)}`);
    expect(res.status).toBe(403);
    const { cert } = await otherApp();
    expect((await fetch(`${notes.url}/return?certificate=${b64u.encode(cert.bytes)}`)).status).toBe(
      404,
    );
    expect((await fetch(`${notes.url}/return?certificate=%%%`)).status).toBe(400);
    expect((await fetch(`${notes.url}/return?certificate=AAAA&x=1`)).status).toBe(400);
    const direct = await fetch(`${notes.url}/disco/certificates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ certificate: b64u.encode(new Uint8Array(10)) }),
    });
    expect([direct.status, ((await direct.json()) as { code: string }).code]).toEqual([
      400,
      'ERR_CAP_MALFORMED',
    ]);
    expect((await tab.call('/api/state')).body.signed_in).toBe(false);
  });

  it('answers malformed and oversized input with 4xx codes, never 500', async () => {
    await signedInTab();
    const { app, cert } = await otherApp();
    const good = await signedNote(app, [cert], 'x');
    const cases: [unknown, number, string][] = [
      [{ ...good, extra: 1 }, 400, 'ERR_INVALID_INPUT'],
      [{ ...good, note: '' }, 400, 'ERR_INVALID_INPUT'],
      [{ ...good, note: 'x'.repeat(2001) }, 400, 'ERR_INVALID_INPUT'],
      [{ ...good, certificates: [] }, 400, 'ERR_INVALID_INPUT'],
      [{ ...good, certificates: Array(6).fill(good.certificates[0]) }, 400, 'ERR_INVALID_INPUT'],
      [{ ...good, invocation: '!!!' }, 400, 'ERR_INVALID_INPUT'],
      [{ ...good, invocation: 'A'.repeat(4000) }, 400, 'ERR_INVALID_INPUT'],
      [{ ...good, invocation: b64u.encode(new Uint8Array(2000)) }, 400, 'ERR_CAP_MALFORMED'],
      [{ ...good, certificates: [b64u.encode(new Uint8Array(100))] }, 400, 'ERR_CAP_MALFORMED'],
    ];
    for (const [body, status, code] of cases) {
      const res = await postPublic(body);
      expect([res.status, res.body.code]).toEqual([status, code]);
    }
    expect((await postPublic(undefined, '{"note":')).status).toBe(400);
    expect(
      (await postPublic(undefined, JSON.stringify({ ...good, note: 'y'.repeat(40_000) }))).status,
    ).toBe(413);
  });
});
