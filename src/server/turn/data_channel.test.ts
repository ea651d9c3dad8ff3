import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPeerJs, rtcConfig } from '../peer/node_peer.js';
import { startCoturn, type LocalTurnServer } from './coturn.js';
import { turnCredentials } from './credentials.js';

// A real data channel between two node-datachannel connections (the relay's and the SDK's WebRTC
// in Node), through a real coturn, with the relay's REST-API credentials: what `npm start` does.
let turn: LocalTurnServer;
beforeAll(async () => {
  await loadPeerJs(); // installs the RTCPeerConnection that encodes credentials for libdatachannel
  turn = await startCoturn();
});
afterAll(() => turn?.close());

/** Credentials as the relay hands them out: `label` fixed (one username), or new at every read. */
function credentials(secret: string, label?: string) {
  let n = 0;
  return () => [
    {
      urls: turn.urls,
      ...turnCredentials(secret, label ?? `c${n++}`, Math.floor(Date.now() / 1000) + 600),
    },
  ];
}

async function connectThroughTurn(
  secret: string,
  timeoutMs: number,
  iceServers = credentials(secret, 'test'),
) {
  const config = () =>
    rtcConfig({
      host: '127.0.0.1',
      port: 1,
      path: '/',
      iceServers,
      iceTransportPolicy: 'relay',
      bindAddress: '127.0.0.1',
    });
  const a = new RTCPeerConnection(config());
  const b = new RTCPeerConnection(config());
  const candidates: string[] = [];
  a.onicecandidate = (e) => {
    if (!e.candidate) return;
    candidates.push(e.candidate.candidate);
    void b.addIceCandidate(e.candidate);
  };
  b.onicecandidate = (e) => e.candidate && void a.addIceCandidate(e.candidate);
  const channel = a.createDataChannel('tunnel');
  const received = new Promise<string>((resolve) => {
    b.ondatachannel = (e) => (e.channel.onmessage = (m) => resolve(String(m.data)));
  });
  channel.onopen = () => channel.send('sealed envelope');
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription!);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const result = await Promise.race([
    received,
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve('no message'), timeoutMs))),
  ]);
  clearTimeout(timer);
  a.close();
  b.close();
  return { result, candidates };
}

describe('data channels through the local TURN server', () => {
  it('open with the relay credentials, on relayed candidates only', async () => {
    const { result, candidates } = await connectThroughTurn(turn.secret, 10_000);
    expect(result).toBe('sealed envelope');
    expect(candidates.length).toBeGreaterThan(0);
    for (const c of candidates) expect(c).toMatch(/ typ relay /);
  });

  it('do not open with credentials made from another secret', async () => {
    const { result, candidates } = await connectThroughTurn('not-the-turn-secret', 3000);
    expect(result).toBe('no message');
    expect(candidates).toEqual([]);
  });

  it("keep opening, one after another, with the relay's new credentials per connection", async () => {
    // node-datachannel leaves its TURN allocations behind when a connection closes, and coturn
    // counts user-quota per label: with user-quota 32 and one shared username the 17th pair
    // failed (measured). New credentials for every connection, as the relay's link gets them,
    // do not run out. (Clients other than the relay get one label per address: turn.md.)
    const fresh = credentials(turn.secret);
    const results: string[] = [];
    for (let i = 0; i < 20; i++) results.push((await connectThroughTurn('', 5000, fresh)).result);
    expect(results).toEqual(Array(20).fill('sealed envelope'));
  }, 60_000);
});
