import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DataConnection } from 'peerjs';
import { isDiscoError } from '../../protocol/errors/index.js';
import { utf8 } from '../../protocol/encoding/index.js';
import type { TunnelRequest, TunnelResponse } from '../../protocol/tunnel/types.js';
import { readsInlineBodies } from '../../protocol/tunnel/frames.js';
import { startLocalPeerServer, type LocalPeerServer } from './local_peer_server.js';
import { PeerDeviceLink } from './peer_device_link.js';
import { serveDevice, type ServedDevice } from './serve_device.js';

// Everything binds to 127.0.0.1 and no ICE server is given: nothing can leave the machine.
// `npm test` runs this inside a loopback-only network namespace.
let signalling: LocalPeerServer;
let sig: { host: string; port: number; path: string; bindAddress: string };
let device: ServedDevice;
let link: PeerDeviceLink;
const deviceConnections: DataConnection[] = [];

const echo = (req: TunnelRequest): Promise<TunnelResponse> =>
  Promise.resolve({
    status: 200,
    headers: { 'x-method': req.method, 'x-path': req.path, 'x-echo': req.headers['x-echo'] ?? '' },
    body: req.body ?? new Uint8Array(0),
  });
const post = (body: Uint8Array, path = '/disco/echo'): TunnelRequest => ({
  method: 'POST',
  path,
  headers: { 'content-type': 'application/octet-stream' },
  body,
});
const bytes = (n: number, seed: number) =>
  Uint8Array.from({ length: n }, (_, i) => (i * seed) & 0xff);
const failure = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (isDiscoError(e) ? e.code : `not a DiscoError: ${String(e)}`),
  );

beforeAll(async () => {
  // A short expire_timeout: the server answers EXPIRE (peer-unavailable) for unknown ids quickly.
  signalling = await startLocalPeerServer({ expire_timeout: 200, cleanup_out_msgs: 50 });
  sig = {
    host: signalling.host,
    port: signalling.port,
    path: signalling.path,
    bindAddress: '127.0.0.1',
  };
  device = await serveDevice({ ...sig, id: 'device-echo', handle: echo });
  device.peer.on('connection', (c) => deviceConnections.push(c));
  link = new PeerDeviceLink({ ...sig, openTimeoutMs: 5_000, requestTimeoutMs: 10_000 });
  // As the relay does with its in-process signalling server: a device whose WebSocket closed
  // is gone, even if the close of its data channel is lost (node-datachannel, now and then).
  signalling.onDisconnect.add((id) => link.forget(id));
  const probe = await link
    .request('device-echo', post(utf8.encode('probe')))
    .catch((e: unknown) => e);
  if (!(probe && typeof probe === 'object' && 'status' in probe))
    throw new Error(
      `WebRTC could not open a data channel on 127.0.0.1 (${String(probe)}). Run inside a ` +
        "loopback-only namespace with lo up: unshare -n sh -c 'ip link set lo up && npx vitest run'",
    );
});

afterAll(async () => {
  await link?.close();
  device?.close();
  await signalling?.close();
});

describe('PeerDeviceLink over real WebRTC (loopback)', () => {
  it('carries a small request and its answer, on loopback only', async () => {
    const res = await link.request('device-echo', {
      ...post(utf8.encode('hello device')),
      headers: { 'x-echo': 'yes' },
    });
    expect(res.status).toBe(200);
    expect(res.headers).toEqual({ 'x-method': 'POST', 'x-path': '/disco/echo', 'x-echo': 'yes' });
    expect(utf8.decode(res.body)).toBe('hello device');
    const pc = deviceConnections[0]?.peerConnection as unknown as {
      ext_localCandidates: { candidate: string }[];
    };
    const addresses = pc.ext_localCandidates.map((c) => c.candidate.split(' ')[4]);
    expect(addresses.length).toBeGreaterThan(0);
    expect(new Set(addresses)).toEqual(new Set(['127.0.0.1']));
    // the link announces frame version 3, so the device answers small bodies in one frame
    expect(readsInlineBodies(deviceConnections[0]?.metadata)).toBe(true);
  });

  it('carries 1 MiB both ways byte-exact', async () => {
    const body = bytes(1024 * 1024, 31);
    const res = await link.request('device-echo', post(body));
    expect(Buffer.compare(res.body, body)).toBe(0);
  });

  it('answers 10 concurrent requests on one connection', async () => {
    const before = device.connections;
    const bodies = Array.from({ length: 10 }, (_, i) => bytes(10_000 + i * 30_000, i + 3));
    const answers = await Promise.all(bodies.map((b) => link.request('device-echo', post(b))));
    answers.forEach((res, i) => expect(Buffer.compare(res.body, bodies[i]!)).toBe(0));
    expect(device.connections).toBe(before);
  });

  it('reports an unknown device as ERR_DEVICE_UNREACHABLE', async () => {
    expect(await failure(link.request('device-nobody', post(new Uint8Array(1))))).toBe(
      'ERR_DEVICE_UNREACHABLE',
    );
    // with the signalling server in the same process, without asking the network
    const local = new PeerDeviceLink({ ...sig, isRegistered: (id) => signalling.online.has(id) });
    expect(await failure(local.request('device-nobody', post(new Uint8Array(1))))).toBe(
      'ERR_DEVICE_UNREACHABLE',
    );
    expect(await failure(local.request('not a/peer id', post(new Uint8Array(1))))).toBe(
      'ERR_INVALID_INPUT',
    );
    await local.close();
  });

  it('fails a request with ERR_DEVICE_UNREACHABLE when the device leaves, and reconnects when it is back', async () => {
    let started!: () => void;
    const handling = new Promise<void>((r) => (started = r));
    const flaky = await serveDevice({
      ...sig,
      id: 'device-flaky',
      token: 'flaky-token',
      handle: () => (started(), new Promise<TunnelResponse>(() => {})),
    });
    // The request must be with the device when it leaves. On a loaded machine a data connection
    // can fail to open (three attempts closed at load 14), before the device has it: then send
    // it again, as the SDK does with a first request that could not reach the device.
    let pending!: Promise<string>;
    for (let attempt = 1; ; attempt++) {
      const request = link.request('device-flaky', post(bytes(5000, 7)));
      pending = failure(request);
      const before = await Promise.race([
        handling.then(() => undefined),
        request.then(
          () => Promise.reject(new Error('answered before the device left')),
          (e: Error) => e,
        ),
      ]);
      if (!before) break;
      if (attempt === 3) throw new Error(`failed before the device left: ${before.message}`);
    }
    flaky.close();
    expect(await pending).toBe('ERR_DEVICE_UNREACHABLE');
    // `peer` hands a live id to a second socket with the same token without ever sending it
    // OPEN: come back only once the server has let the old socket go, as a reloaded page would.
    await vi.waitFor(() => expect(signalling.online.has('device-flaky')).toBe(false));
    const back = await serveDevice({
      ...sig,
      id: 'device-flaky',
      token: 'flaky-token',
      handle: echo,
    });
    const res = await link.request('device-flaky', post(utf8.encode('again')));
    expect(utf8.decode(res.body)).toBe('again');
    back.close();
  });

  it('aborts a request with ERR_ABORTED, and fails everything once the link is closed', async () => {
    const slow = await serveDevice({
      ...sig,
      id: 'device-slow',
      handle: () => new Promise<TunnelResponse>(() => {}),
    });
    const own = new PeerDeviceLink(sig);
    expect(
      await failure(own.request('device-slow', post(new Uint8Array(1)), AbortSignal.timeout(300))),
    ).toBe('ERR_ABORTED');
    const pending = failure(own.request('device-slow', post(new Uint8Array(1))));
    await new Promise((r) => setTimeout(r, 50));
    await own.close();
    expect(await pending).toBe('ERR_DEVICE_UNREACHABLE');
    expect(await failure(own.request('device-slow', post(new Uint8Array(1))))).toBe(
      'ERR_DEVICE_UNREACHABLE',
    );
    slow.close();
  });
});
