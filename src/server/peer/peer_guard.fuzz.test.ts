import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { utf8 } from '../../protocol/encoding/index.js';
import type { TunnelRequest, TunnelResponse } from '../../protocol/tunnel/types.js';
import { captureLogger } from '../relay/log.js';
import { startRelay, type RunningRelay } from '../relay/start_relay.js';
import { makeDevice } from '../relay/testing.js';
import { startLocalPeerServer, type LocalPeerServer } from './local_peer_server.js';
import { PeerDeviceLink } from './peer_device_link.js';
import { serveDevice, type ServedDevice } from './serve_device.js';

/**
 * Signalling messages fuzzed against the relay's own PeerJS peer (issue #12.9: one OFFER with
 * `payload: null` used to end the relay), over real WebRTC on loopback (run inside a network
 * namespace, see the rules). First through a bare npm `peer` server that forwards anything, so
 * the Node peer's own checks are what stands; then through the relay, whose signalling checks
 * first. Seeded, with a fixed number of cases. Afterwards nothing was thrown, and the relay
 * still carries a tunnel request to a device.
 */
const SEED = 0x9e12;
const RUNS = 250;

const echo = (req: TunnelRequest): Promise<TunnelResponse> =>
  Promise.resolve({ status: 200, headers: {}, body: req.body ?? new Uint8Array(0) });
const post = (text: string): TunnelRequest => ({
  method: 'POST',
  path: '/disco/echo',
  headers: {},
  body: utf8.encode(text),
});

/** Anything thrown where nobody catches it, while the fuzz runs. */
const escaped: unknown[] = [];
const collect = (err: unknown) => escaped.push(err);
beforeAll(() => {
  process.on('uncaughtException', collect);
  process.on('unhandledRejection', collect);
});
afterAll(() => {
  process.off('uncaughtException', collect);
  process.off('unhandledRejection', collect);
});

/** Messages for `targets`: random JSON, near-valid PeerJS messages, and known killers. */
function messages(targets: string[], connectionIds: () => string[]) {
  const any = fc.jsonValue({ maxDepth: 4 });
  const dst = fc.constantFrom(...targets);
  const connectionId = fc.oneof(
    fc.constant('dc_1'),
    fc.constant(undefined).map(() => connectionIds()[0] ?? 'dc_0'),
    any,
  );
  const sdp = fc.oneof(
    fc.record({
      type: fc.constantFrom('offer', 'answer', 'pranswer', 'x'),
      sdp: fc.oneof(fc.constant('v=0'), fc.string()),
    }),
    any,
  );
  const payload = fc.oneof(
    any,
    fc.record(
      {
        type: fc.constantFrom('data', 'media', 'x'),
        connectionId,
        sdp,
        serialization: fc.oneof(
          fc.constantFrom(
            'raw',
            'json',
            'binary',
            'default',
            '__proto__',
            'constructor',
            'toString',
            'nope',
          ),
          any,
        ),
        reliable: fc.oneof(fc.boolean(), any),
        candidate: fc.oneof(
          fc.record({
            candidate: fc.string(),
            sdpMid: fc.oneof(fc.constant('0'), any),
            sdpMLineIndex: fc.oneof(fc.constant(0), any),
          }),
          any,
        ),
        metadata: any,
      },
      { requiredKeys: [] },
    ),
  );
  // well-formed as far as the relay's schema goes, random inside
  const wellFormed = fc
    .record({
      type: fc.constantFrom('OFFER', 'ANSWER', 'CANDIDATE'),
      dst,
      id: fc.stringMatching(/^[a-z0-9_]{1,20}$/),
      sdp: fc.string({ maxLength: 200 }),
      candidate: fc.string({ maxLength: 100 }),
      serialization: fc.constantFrom('raw', 'json', 'binary', 'binary-utf8', 'default'),
    })
    .map(({ type, dst: d, id, sdp: text, candidate, serialization }) =>
      JSON.stringify({
        type,
        dst: d,
        payload:
          type === 'OFFER'
            ? { type: 'data', connectionId: id, sdp: { type: 'offer', sdp: text }, serialization }
            : type === 'ANSWER'
              ? { type: 'data', connectionId: id, sdp: { type: 'answer', sdp: text } }
              : { type: 'data', connectionId: id, candidate: { candidate, sdpMid: '0' } },
      }),
    );
  return fc.oneof(
    wellFormed,
    fc
      .record(
        {
          type: fc.constantFrom('OFFER', 'ANSWER', 'CANDIDATE', 'LEAVE', 'EXPIRE', 'x'),
          dst,
          payload,
        },
        { requiredKeys: ['type', 'dst'] },
      )
      .map((m) => JSON.stringify(m)),
    dst.map((d) => JSON.stringify({ type: 'OFFER', dst: d, payload: null })),
    any.map((v) => JSON.stringify(v)),
  );
}

function attacker(host: string, port: number, path: string, id: string): Promise<WebSocket> {
  const socket = new WebSocket(
    `ws://${host}:${port}${path}/peerjs?key=peerjs&id=${id}&token=attacker-token`,
  );
  return new Promise((resolve, reject) => {
    socket.once('message', () => resolve(socket));
    socket.once('error', reject);
  });
}

async function fuzz(socket: WebSocket, arbitrary: fc.Arbitrary<string>): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arbitrary, async (m) => {
      socket.send(m);
      await new Promise((r) => setTimeout(r, 2));
    }),
    { seed: SEED, numRuns: RUNS },
  );
  await new Promise((r) => setTimeout(r, 500)); // what PeerJS does later (async SDP) too
}

describe('the relay peer under hostile signalling (bare npm peer server)', () => {
  let signalling: LocalPeerServer;
  let link: PeerDeviceLink;
  let device: ServedDevice;
  const dropped: string[] = [];

  beforeAll(async () => {
    signalling = await startLocalPeerServer({ expire_timeout: 200, cleanup_out_msgs: 50 });
    const sig = {
      host: signalling.host,
      port: signalling.port,
      path: signalling.path,
      bindAddress: '127.0.0.1',
    };
    device = await serveDevice({ ...sig, id: 'device-echo', handle: echo });
    link = new PeerDeviceLink({ ...sig, onSignalDropped: (reason) => dropped.push(reason) });
    await link.start();
  });
  afterAll(async () => {
    await link?.close();
    device?.close();
    await signalling?.close();
  });

  it(`drops what PeerJS would choke on among ${RUNS} messages, and still carries requests`, async () => {
    expect(utf8.decode((await link.request('device-echo', post('before'))).body)).toBe('before');
    const socket = await attacker(signalling.host, signalling.port, signalling.path, 'attacker');
    await fuzz(
      socket,
      messages([link.id, 'device-echo'], () => []),
    );
    expect(escaped).toEqual([]);
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped).toContain('offer to a peer that accepts none');
    expect(dropped).toContain('no such connection');
    expect(utf8.decode((await link.request('device-echo', post('after'))).body)).toBe('after');
    socket.close();
  });
});

describe('the relay under hostile signalling (its own checks first)', () => {
  let running: RunningRelay;
  let link: PeerDeviceLink | undefined;
  let device: ServedDevice;
  let peerId: string;

  beforeAll(async () => {
    running = await startRelay({
      logger: captureLogger(),
      production: false,
      deviceLink: async (relayUrl, relay) => {
        const url = new URL(relayUrl);
        link = new PeerDeviceLink({
          host: url.hostname,
          port: Number(url.port),
          path: '/peerjs',
          bindAddress: '127.0.0.1',
          isRegistered: (id) => relay.hasPeer(id),
        });
        await link.start();
        return link;
      },
    });
    const url = new URL(running.url);
    const keys = await makeDevice();
    peerId = keys.peerId;
    device = await serveDevice({
      host: url.hostname,
      port: Number(url.port),
      path: '/peerjs',
      bindAddress: '127.0.0.1',
      id: keys.peerId,
      token: await keys.token(Date.now()),
      handle: echo,
    });
  });
  afterAll(async () => {
    device?.close();
    await running?.close();
  });

  it(`survives ${RUNS} hostile messages to its peer and the device, and still serves the tunnel`, async () => {
    const ask = async (text: string) => {
      const res = await fetch(`${running.url}/p/${peerId}/disco/echo`, {
        method: 'POST',
        body: text,
      });
      return [res.status, await res.text()];
    };
    expect(await ask('before')).toEqual([200, 'before']);
    const url = new URL(running.url);
    const socket = await attacker(url.hostname, Number(url.port), '/peerjs', 'attacker-2');
    await fuzz(
      socket,
      messages([link!.id, peerId], () => []),
    );
    expect(escaped).toEqual([]);
    await vi.waitFor(() => expect(running.relay.hasPeer(peerId)).toBe(true));
    expect(await ask('after')).toEqual([200, 'after']);
    socket.close();
  });
});
