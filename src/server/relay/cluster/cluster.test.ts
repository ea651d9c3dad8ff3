import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../../../protocol/encoding/index.js';
import type { TunnelRequest, TunnelResponse } from '../../../protocol/tunnel/types.js';
import { serveDevice, type ServedDevice } from '../../peer/serve_device.js';
import { json, makeDevice, makeRp } from '../testing.js';
import { startCluster, type RelayProcess, type RunningCluster } from './start_cluster.js';

/**
 * The relay as a cluster, real parts (issue #14): Debian's redis-server, three relay processes
 * (`npm run relay` with DISCO_REDIS_URL, as child processes) and Debian's HAProxy in front, all
 * on 127.0.0.1, and a device served by the SDK's Node peer (node-datachannel). `npm test` runs
 * it inside a loopback-only network namespace.
 */
let cluster: RunningCluster;
let device: Awaited<ReturnType<typeof makeDevice>>;
let served: ServedDevice | undefined;
let answered = 0;

const handle = (req: TunnelRequest): Promise<TunnelResponse> => {
  answered++;
  return Promise.resolve({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: utf8.encode(JSON.stringify({ path: req.path, n: answered })),
  });
};
const signallingOf = (url: string) => ({
  host: '127.0.0.1',
  port: Number(new URL(url).port),
  path: '/peerjs',
});
const serve = async (url: string) =>
  serveDevice({
    ...signallingOf(url),
    id: device.peerId,
    token: await device.token(Date.now()),
    handle,
  });
const health = async (r: RelayProcess) =>
  ((await (await fetch(`${r.url}/healthz`)).json()) as { peers: number }).peers;
const codeOf = async (res: Response) => [res.status, ((await res.json()) as { code: string }).code];

async function until<T>(probe: () => Promise<T>, ms: number): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
/** A tunnelled GET; 200 with the device's answer. */
const tunnel = (base: string) =>
  fetch(`${base}/p/${device.peerId}/disco/ping`).then(async (res) => ({
    status: res.status,
    body: res.status === 200 ? ((await res.json()) as { path: string }) : await res.text(),
  }));

beforeAll(async () => {
  cluster = await startCluster({
    relays: 3,
    drainMs: 500,
    env: {
      DISCO_RELAY_ALLOW_LOOPBACK_CALLBACKS: 'true',
      DISCO_RELAY_LONG_POLL_SECONDS: '5',
    },
  });
  device = await makeDevice();
}, 90_000);
afterAll(async () => {
  served?.close();
  await cluster?.stop();
}, 30_000);

describe('relay cluster: 3 processes + Redis + HAProxy', () => {
  it('answers /healthz through the balancer', async () => {
    const res = await fetch(`${cluster.url}/healthz`);
    expect(res.status).toBe(200);
  });

  it('reaches a device on process A from process B directly and through the balancer', async () => {
    const [a, b] = cluster.relays;
    served = await serve(a!.url);
    // each relay's own link peer is connected; the device is on A
    await until(async () => (await health(a!)) === 2, 5000);
    const direct = await until(async () => {
      const r = await tunnel(b!.url);
      return r.status === 200 ? r : null;
    }, 20_000);
    expect(direct.body).toMatchObject({ path: '/disco/ping' });
    // round robin: six requests through the balancer land on every process
    const results = [];
    for (let i = 0; i < 6; i++) results.push((await tunnel(cluster.url)).status);
    expect(results).toEqual([200, 200, 200, 200, 200, 200]);
  }, 60_000);

  it('completes a pairing started on A with the device posting to C, and the RP hears through the balancer', async () => {
    const [a, , c] = cluster.relays;
    const rp = await makeRp(Date.now());
    const created = (await (
      await fetch(`${a!.url}/uid`, { headers: { 'disco-client-certificate': rp.header } })
    ).json()) as { uid: string; wait_token: string };
    const polled = fetch(`${cluster.url}/uid/${created.uid}/wait`, {
      headers: { authorization: `Bearer ${created.wait_token}` },
    });
    await new Promise((r) => setTimeout(r, 200));
    const paired = await fetch(`${c!.url}/uid`, json(device.pairBody(created.uid, cluster.url)));
    expect(paired.status).toBe(200);
    const res = await polled;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { peer_id: string }).peer_id).toBe(device.peerId);
  }, 30_000);

  it('survives SIGKILL of the process holding the device: it reconnects through the balancer and is reached again', async () => {
    const a = cluster.relays[0]!;
    const gone = new Promise((r) => served!.peer.once('disconnected', r));
    a.child.kill('SIGKILL');
    await a.exited;
    await gone;
    // as the device app does: a fresh token, through the public URL
    served!.close();
    // until HAProxy marks A down, a new socket may still be sent there: retry, as the app does
    served = await until(() => serve(cluster.url).catch(() => null), 30_000);
    const before = answered;
    const again = await until(async () => {
      const r = await tunnel(cluster.url);
      return r.status === 200 ? r : null;
    }, 30_000);
    expect(again.body).toMatchObject({ path: '/disco/ping' });
    // once HAProxy has marked A down, every request through it is answered
    const results = [];
    for (let i = 0; i < 4; i++) results.push((await tunnel(cluster.url)).status);
    expect(results).toEqual([200, 200, 200, 200]);
    expect(answered - before).toBeGreaterThanOrEqual(5);
  }, 60_000);

  it('answers 503 ERR_RELAY_STORE_UNAVAILABLE while Redis is down, then recovers and keeps the pairings', async () => {
    const rp = await makeRp(Date.now(), 'Restart Shop');
    const created = (await (
      await fetch(`${cluster.url}/uid`, { headers: { 'disco-client-certificate': rp.header } })
    ).json()) as { uid: string; wait_token: string };
    expect(created.uid).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const restarted = cluster.restartRedis(1500);
    await new Promise((r) => setTimeout(r, 300));
    const down = await fetch(`${cluster.url}/uid`, {
      headers: { 'disco-client-certificate': rp.header },
    });
    expect(await codeOf(down)).toEqual([503, 'ERR_RELAY_STORE_UNAVAILABLE']);
    await restarted;
    const other = await makeDevice();
    const paired = await until(async () => {
      const res = await fetch(`${cluster.url}/uid`, json(other.pairBody(created.uid, cluster.url)));
      return res.status === 503 ? null : res;
    }, 15_000);
    expect(paired.status).toBe(200);
    // the device is reached again too (the directory is written back after the restart)
    const r = await until(async () => {
      const t = await tunnel(cluster.url);
      return t.status === 200 ? t : null;
    }, 15_000);
    expect(r.status).toBe(200);
  }, 60_000);
});
