import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isDiscoError } from '../../protocol/errors/index.js';
import { createNodePeer, loadPeerJs, rtcConfig } from './node_peer.js';

const freePortThatRefuses = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe('PeerJS in Node', () => {
  it('loads once, after the WebRTC and WebSocket globals', async () => {
    const Peer = await loadPeerJs();
    expect(await loadPeerJs()).toBe(Peer);
    const g = globalThis as unknown as Record<string, unknown>;
    expect(typeof g.RTCPeerConnection).toBe('function');
    expect(typeof g.RTCSessionDescription).toBe('function');
    expect(typeof g.WebSocket).toBe('function');
  });

  it('never lets PeerJS use its public ICE servers', async () => {
    await loadPeerJs();
    type Util = { defaultConfig: RTCConfiguration };
    const mod = (await import('peerjs')) as unknown as { util?: Util; default?: { util?: Util } };
    const defaults = (mod.util ?? mod.default?.util)!.defaultConfig;
    expect(JSON.stringify(defaults)).toContain('peerjs.com'); // what we must keep out
    const pc = new RTCPeerConnection(defaults);
    expect(pc.getConfiguration().iceServers).toEqual([]);
    pc.close();
    const ours = rtcConfig({ host: 'x', port: 1, path: '/', bindAddress: '127.0.0.1' });
    const own = new RTCPeerConnection(ours);
    expect(own.getConfiguration()).toMatchObject({ iceServers: [], bindAddress: '127.0.0.1' });
    own.close();
  });

  it('reads ICE servers given as a function again for every RTCPeerConnection', async () => {
    await loadPeerJs();
    let servers: RTCIceServer[] = [];
    const config = rtcConfig({ host: 'x', port: 1, path: '/', iceServers: () => servers });
    const first = new RTCPeerConnection(config); // PeerJS passes this one object every time
    first.close();
    // node-datachannel refuses a TURN server without credentials when it builds the connection:
    // proof that the current list reached it, and not the one read when the config was made
    servers = [{ urls: ['turn:127.0.0.1:3478?transport=udp'] }];
    expect(() => new RTCPeerConnection(config)).toThrow(/username/i);
    servers = [{ urls: ['turn:127.0.0.1:3478?transport=udp'], username: 'u', credential: 'c' }];
    let third: RTCPeerConnection | undefined;
    expect(() => (third = new RTCPeerConnection(config))).not.toThrow();
    third?.close();
  });

  it('fails with ERR_TRANSPORT_FAILED, without crashing, when the server refuses', async () => {
    const port = await freePortThatRefuses();
    const err = await createNodePeer({
      id: 'nobody-home',
      host: '127.0.0.1',
      port,
      path: '/',
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDiscoError(err, 'ERR_TRANSPORT_FAILED')).toBe(true);
  });
});
