import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import express from 'express';
import { ExpressPeerServer, type IConfig } from 'peer';

export interface LocalPeerServer {
  host: string;
  port: number;
  /** Mount path to give PeerJS clients (`path` option). */
  path: string;
  /** Peer ids currently registered. */
  online: Set<string>;
  /** Called with a peer id when its WebSocket closes (npm `peer`'s `disconnect` event). */
  onDisconnect: Set<(peerId: string) => void>;
  close(): Promise<void>;
}

/**
 * A PeerJS signalling server (npm `peer`) on `127.0.0.1` and a free port, for tests and
 * benchmarks. `peer` queues an offer to an unknown id and answers EXPIRE (PeerJS
 * `peer-unavailable`) only after `expire_timeout` (5 s by default): pass a smaller one to fail fast.
 */
export async function startLocalPeerServer(
  options: Partial<IConfig> & { mountPath?: string } = {},
): Promise<LocalPeerServer> {
  const { mountPath = '/peerjs', ...config } = options;
  const app = express();
  const http = createServer(app);
  const sockets = new Set<Socket>();
  http.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const peerServer = ExpressPeerServer(http, { path: '/', ...config });
  const online = new Set<string>();
  peerServer.on('connection', (client) => online.add(client.getId()));
  const onDisconnect = new Set<(peerId: string) => void>();
  peerServer.on('disconnect', (client) => {
    online.delete(client.getId());
    for (const f of onDisconnect) f(client.getId());
  });
  peerServer.on('error', () => {}); // a client's broken socket is not our failure
  app.use(mountPath, peerServer);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
  const address = http.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    host: '127.0.0.1',
    port: address.port,
    path: mountPath,
    online,
    onDisconnect,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy(); // upgraded WebSockets keep http.close() waiting
        http.close(() => resolve());
      }),
  };
}
