import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../protocol/encoding/index.js';
import type { TunnelResponse } from '../protocol/tunnel/types.js';
import { startLocalPeerServer, type LocalPeerServer } from '../server/peer/local_peer_server.js';
import { serveDevice, type ServedDevice } from '../server/peer/serve_device.js';
import { codeOf } from '../testing/code_of.js';
import { peerTransport } from './node.js';

// Real WebRTC on 127.0.0.1 (run inside a loopback-only namespace, as `npm test` does); the relay
// is a PeerJS server at /peerjs and a fake `/ice-servers` with no servers at all.
let signalling: LocalPeerServer;
let device: ServedDevice;
let relayUrl: string;

const iceAnswer = () =>
  Response.json({
    ice_servers: [],
    ice_transport_policy: 'all',
    expires_at: Math.floor(Date.now() / 1000) + 600,
  });

beforeAll(async () => {
  signalling = await startLocalPeerServer({ expire_timeout: 200, cleanup_out_msgs: 50 });
  relayUrl = `http://${signalling.host}:${signalling.port}`;
  device = await serveDevice({
    host: signalling.host,
    port: signalling.port,
    path: signalling.path,
    bindAddress: '127.0.0.1',
    id: 'device-node-sdk',
    handle: (req): Promise<TunnelResponse> =>
      Promise.resolve({
        status: 200,
        headers: { 'content-type': 'text/plain' },
        body: utf8.encode(`${req.method} ${req.path}`),
      }),
  });
});

afterAll(async () => {
  device?.close();
  await signalling?.close();
});

describe('peerTransport (the Node SDK over WebRTC)', () => {
  it('asks the relay for its ICE servers before it connects, then talks to the device', async () => {
    const asked: string[] = [];
    const { transport, link } = peerTransport(relayUrl, 'device-node-sdk', {
      bindAddress: '127.0.0.1',
      fetch: (input) => {
        asked.push(input instanceof Request ? input.url : input.toString());
        return Promise.resolve(iceAnswer());
      },
    });
    try {
      const res = await transport.get('/disco/.well-known/disco-configuration');
      expect(res).toEqual({
        status: 200,
        contentType: 'text/plain',
        body: 'GET /disco/.well-known/disco-configuration',
      });
      expect(asked).toEqual([`${relayUrl}/ice-servers`]);
    } finally {
      await link.close();
    }
  });

  it('fails with ERR_TRANSPORT_FAILED when the relay gives no ICE configuration', async () => {
    const { transport, link } = peerTransport(relayUrl, 'device-node-sdk', {
      bindAddress: '127.0.0.1',
      fetch: () => Promise.resolve(new Response('not here', { status: 404 })),
    });
    expect(await codeOf(transport.get('/disco/x'))).toBe('ERR_TRANSPORT_FAILED');
    await link.close();
  });

  it('takes a given list (none) without asking the relay', async () => {
    const { transport, link } = peerTransport(relayUrl, 'device-node-sdk', {
      bindAddress: '127.0.0.1',
      iceServers: [],
      fetch: () => Promise.reject(new Error('must not be called')),
    });
    expect((await transport.post('/disco/y', '{}')).body).toBe('POST /disco/y');
    await link.close();
  });
});
