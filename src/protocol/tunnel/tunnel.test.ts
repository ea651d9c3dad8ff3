import { describe, expect, it, vi } from 'vitest';
import { isDiscoError } from '../errors/index.js';
import { utf8 } from '../encoding/index.js';
import { decodeFrame, encodeFrame, messageFrames, TUNNEL_CHUNK_BYTES } from './frames.js';
import { TUNNEL_MAX_CHUNKS, TUNNEL_MAX_IN_FLIGHT } from './frames.js';
import { TunnelClient } from './tunnel_client.js';
import { TunnelServer, type TunnelServerOptions } from './tunnel_server.js';
import { TUNNEL_MAX_BODY_BYTES, TUNNEL_MAX_FRAME_BYTES, type TunnelRequest } from './types.js';

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (isDiscoError(e) ? e.code : `not a DiscoError: ${String(e)}`),
  );
const pattern = (n: number, seed = 1) => {
  const out = new Uint8Array(n);
  for (let i = 0, x = seed; i < n; i++) out[i] = x = (x * 1103515245 + 12345) >>> 16;
  return out;
};
const get = (path = '/disco/x'): TunnelRequest => ({ method: 'GET', path, headers: {} });
const echo: TunnelServerOptions['handle'] = (req) =>
  Promise.resolve({
    status: 200,
    headers: { 'x-method': req.method, 'x-path': req.path },
    body: req.body ?? new Uint8Array(0),
  });

/** A client wired to a server in memory, frames delivered on later ticks (like a channel). */
function wire(handle = echo, timeoutMs = 5_000, inlineBodies?: boolean) {
  const sizes: number[] = [];
  const toServer: unknown[] = [];
  const clientErrors: unknown[] = [];
  const client = new TunnelClient({
    timeoutMs,
    send: (f) => {
      sizes.push(f.byteLength);
      toServer.push(decodeFrame(f));
      setImmediate(() => server.receive(f));
    },
    onError: (e) => clientErrors.push(e),
  });
  const toClient: unknown[] = [];
  const server = new TunnelServer({
    handle,
    send: (f) => {
      sizes.push(f.byteLength);
      toClient.push(decodeFrame(f));
      setImmediate(() => client.receive(f));
    },
    ...(inlineBodies === undefined ? {} : { inlineBodies }),
  });
  return { client, server, sizes, toServer, toClient, clientErrors };
}

describe('tunnel client and server', () => {
  it('carries a small request and its answer', async () => {
    const { client } = wire();
    const req = { ...get('/disco/auth/register'), method: 'POST', body: utf8.encode('{"a":1}') };
    const res = await client.request({ ...req, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(res.headers).toEqual({ 'x-method': 'POST', 'x-path': '/disco/auth/register' });
    expect(utf8.decode(res.body)).toBe('{"a":1}');
    const empty = await client.request(get());
    expect(empty.body).toEqual(new Uint8Array(0));
  });

  it('answers in one frame an asker that reads version 3, in head and chunks one that does not', async () => {
    const body = pattern(1000);
    for (const [inline, frames] of [
      [true, ['res']],
      [false, ['res', 'chunk']],
      [undefined, ['res', 'chunk']],
    ] as const) {
      const { client, toClient } = wire(echo, 5_000, inline);
      const res = await client.request({ ...get(), method: 'PUT', body });
      expect(Buffer.compare(res.body, body)).toBe(0);
      expect(res.headers).toEqual({ 'x-method': 'PUT', 'x-path': '/disco/x' });
      expect(toClient.map((f) => (f as { t: string }).t)).toEqual(frames);
    }
    const { client, toClient } = wire(echo, 5_000, true);
    const large = pattern(TUNNEL_CHUNK_BYTES + 1, 3);
    const res = await client.request({ ...get(), method: 'PUT', body: large });
    expect(Buffer.compare(res.body, large)).toBe(0);
    expect(toClient).toHaveLength(3);
    expect((await client.request(get())).body).toEqual(new Uint8Array(0));
  });

  it.each([
    ['1 MiB', 1024 * 1024],
    ['exactly the limit', TUNNEL_MAX_BODY_BYTES],
    ['one chunk and a byte', TUNNEL_CHUNK_BYTES + 1],
  ])('chunks and reassembles %s byte-exact both ways', async (_, size) => {
    const { client, sizes } = wire();
    const body = pattern(size, size);
    const res = await client.request({ ...get(), method: 'PUT', body });
    expect(res.body.byteLength).toBe(size);
    expect(Buffer.compare(res.body, body)).toBe(0);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(TUNNEL_MAX_FRAME_BYTES);
  });

  it('refuses a body over the limit either way with ERR_TOO_LARGE', async () => {
    const big = new Uint8Array(TUNNEL_MAX_BODY_BYTES + 1);
    const { client, toServer } = wire(() =>
      Promise.resolve({ status: 200, headers: {}, body: big }),
    );
    expect(await code(client.request({ ...get(), method: 'POST', body: big }))).toBe(
      'ERR_TOO_LARGE',
    );
    expect(toServer).toHaveLength(0);
    // a handler's oversized answer becomes a 500, not a broken stream
    const res = await client.request(get());
    expect(res.status).toBe(500);
    expect(JSON.parse(utf8.decode(res.body))).toMatchObject({ code: 'ERR_INTERNAL' });
    // a hostile device announcing full chunks past the limit
    const device = new TunnelClient({ timeoutMs: 5_000, send: () => {} });
    const pending = code(device.request(get()));
    // TUNNEL_MAX_CHUNKS full chunks add up to more than the limit
    device.receive(
      encodeFrame({ t: 'res', id: 0, status: 200, headers: {}, n: TUNNEL_MAX_CHUNKS }),
    );
    const full = new Uint8Array(TUNNEL_CHUNK_BYTES);
    const frames = Array.from({ length: TUNNEL_MAX_CHUNKS }, (_, i) =>
      encodeFrame({ t: 'chunk', id: 0, i, data: full }),
    );
    frames.forEach((f) => device.receive(f));
    expect(await pending).toBe('ERR_TOO_LARGE');
  });

  it('answers 20 concurrent requests, each with its own answer', async () => {
    const { client } = wire(async (req) => {
      await new Promise((r) => setTimeout(r, Math.random() * 20));
      return { status: 200, headers: {}, body: req.body ?? new Uint8Array(0) };
    });
    const bodies = Array.from({ length: 20 }, (_, i) => pattern(1000 + i * 20_000, i + 1));
    const answers = await Promise.all(
      bodies.map((body) => client.request({ ...get(), method: 'POST', body })),
    );
    answers.forEach((res, i) => expect(Buffer.compare(res.body, bodies[i]!)).toBe(0));
  });

  it('reassembles interleaved answers, in any chunk order, and fails a repeated chunk', async () => {
    const client = new TunnelClient({ timeoutMs: 5_000, send: () => {} });
    const [a, b, c] = [client.request(get()), client.request(get()), code(client.request(get()))];
    const bodyA = pattern(3 * TUNNEL_CHUNK_BYTES, 5);
    const bodyB = pattern(2 * TUNNEL_CHUNK_BYTES + 9, 6);
    const fa = messageFrames({ t: 'res', id: 0, status: 200, headers: {} }, bodyA);
    const fb = messageFrames({ t: 'res', id: 1, status: 201, headers: {} }, bodyB);
    const fc = messageFrames({ t: 'res', id: 2, status: 200, headers: {} }, bodyB);
    for (const f of [fa[0], fb[0], fa[3], fb[1], fa[1], fb[3], fb[2], fa[2]]) client.receive(f!);
    for (const f of [fc[0], fc[1], fc[1], fc[2], fc[3]]) client.receive(f!);
    expect(Buffer.compare((await a).body, bodyA)).toBe(0);
    expect((await b).status).toBe(201);
    expect(Buffer.compare((await b).body, bodyB)).toBe(0);
    expect(await c).toBe('ERR_INVALID_INPUT');
  });

  it('survives garbage and frames of other ids on both ends', async () => {
    const serverErrors: unknown[] = [];
    const { client, server, clientErrors } = wire();
    const serverAlone = new TunnelServer({
      handle: echo,
      send: () => {},
      onError: (e) => serverErrors.push(e),
    });
    const junk = [new Uint8Array([0xff]), new Uint8Array(10), encodeFrame({ t: 'cancel', id: 9 })];
    const pending = client.request({ ...get(), method: 'POST', body: pattern(200_000) });
    for (const f of junk) {
      expect(() => client.receive(f)).not.toThrow();
      expect(() => server.receive(f)).not.toThrow();
      expect(() => serverAlone.receive(f)).not.toThrow();
    }
    client.receive(encodeFrame({ t: 'res', id: 4242, status: 200, headers: {}, n: 0 }));
    client.receive(encodeFrame({ t: 'chunk', id: 4242, i: 0, data: new Uint8Array(1) }));
    serverAlone.receive(encodeFrame({ t: 'chunk', id: 4242, i: 0, data: new Uint8Array(1) }));
    expect(Buffer.compare((await pending).body, pattern(200_000))).toBe(0);
    expect(clientErrors.length).toBeGreaterThanOrEqual(5);
    expect(clientErrors.every((e) => isDiscoError(e, 'ERR_INVALID_INPUT'))).toBe(true);
    expect(serverErrors.length).toBeGreaterThanOrEqual(3);
  });

  it('turns a handler error into a 500 server_error without detail', async () => {
    const { client } = wire(() => Promise.reject(new Error('secret stack')));
    const res = await client.request(get());
    expect(res.status).toBe(500);
    const body = JSON.parse(utf8.decode(res.body));
    expect(body).toMatchObject({ error: 'server_error', code: 'ERR_INTERNAL' });
    expect(JSON.stringify(body)).not.toContain('secret');
  });

  it('times out with ERR_TIMEOUT and tells the device to stop', async () => {
    let seen: AbortSignal | undefined;
    const { client, toServer } = wire((_req, signal) => {
      seen = signal;
      return new Promise(() => {});
    }, 50);
    expect(await code(client.request(get()))).toBe('ERR_TIMEOUT');
    await vi.waitFor(() => expect(seen?.aborted).toBe(true));
    expect(toServer.at(-1)).toEqual({ t: 'cancel', id: 0 });
    expect(client.inFlight).toBe(0);
  });

  it('aborts with ERR_ABORTED, before sending or while waiting', async () => {
    let seen: AbortSignal | undefined;
    const { client, toServer } = wire((_req, signal) => {
      seen = signal;
      return new Promise(() => {});
    });
    expect(await code(client.request(get(), AbortSignal.abort()))).toBe('ERR_ABORTED');
    expect(toServer).toHaveLength(0);
    const ctl = new AbortController();
    const pending = code(client.request(get(), ctl.signal));
    await vi.waitFor(() => expect(seen).toBeDefined());
    ctl.abort();
    expect(await pending).toBe('ERR_ABORTED');
    await vi.waitFor(() => expect(seen?.aborted).toBe(true));
  });

  it('fails everything with ERR_DEVICE_UNREACHABLE on close', async () => {
    const { client } = wire(() => new Promise(() => {}));
    const pending = [code(client.request(get())), code(client.request(get()))];
    client.close('channel closed');
    expect(await Promise.all(pending)).toEqual([
      'ERR_DEVICE_UNREACHABLE',
      'ERR_DEVICE_UNREACHABLE',
    ]);
    expect(await code(client.request(get()))).toBe('ERR_DEVICE_UNREACHABLE');
  });

  it('bounds the requests in flight on both ends', async () => {
    const { client } = wire(() => new Promise(() => {}));
    const held = Array.from({ length: TUNNEL_MAX_IN_FLIGHT }, () => code(client.request(get())));
    expect(await code(client.request(get()))).toBe('ERR_TRANSPORT_FAILED');
    client.close();
    expect(new Set(await Promise.all(held))).toEqual(new Set(['ERR_DEVICE_UNREACHABLE']));
    const answers: unknown[] = [];
    const server = new TunnelServer({
      handle: () => new Promise(() => {}),
      send: (f) => answers.push(decodeFrame(f)),
    });
    for (let id = 0; id <= TUNNEL_MAX_IN_FLIGHT; id++)
      server.receive(
        encodeFrame({ t: 'req', id, method: 'GET', path: '/disco/x', headers: {}, n: 0 }),
      );
    expect(answers[0]).toMatchObject({ t: 'res', id: TUNNEL_MAX_IN_FLIGHT, status: 503 });
    expect(answers).toHaveLength(2); // the head and one chunk of JSON
  });
});
