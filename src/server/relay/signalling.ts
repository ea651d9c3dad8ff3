import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Express } from 'express';
import { ExpressPeerServer, type IClient } from 'peer';
import { WebSocket, WebSocketServer, type ServerOptions } from 'ws';
import type { Clock } from '../../protocol/encoding/index.js';
import { PEER_ID_PATTERN } from '../../protocol/tunnel/index.js';
import type { Logger } from './log.js';
import { admitPeer } from './peer_auth.js';

/** Signalling messages (SDP offers/answers, ICE candidates) are small; ws would take 100 MiB. */
const MAX_SIGNAL_MESSAGE_BYTES = 64 * 1024;

export interface Signalling {
  /** PeerJS clients connected now. */
  peers(): number;
  /** Whether a client with this id is connected now. */
  hasPeer(id: string): boolean;
  /** Closes every signalling socket and stops accepting new ones. */
  close(): Promise<void>;
}

export interface SignallingOptions {
  readonly maxPeers: number;
  readonly trustProxy: false | number | string;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Told when a peer's signalling socket goes (the device link drops its channel at once). */
  readonly onDisconnect?: (peerId: string) => void;
}

/**
 * Mounts the PeerJS server (npm `peer` 1.0.2) on `mount`, an empty Express app the relay has
 * already placed at its PeerJS path, using `server`'s upgrade requests for the WebSocket at
 * `<path>/peerjs`. Admission is checked in the WebSocket handshake (`verifyClient`, see
 * `admitPeer`): a refused client gets an HTTP error instead of an upgrade. Peer discovery is off.
 */
export function mountSignalling(
  mount: Express,
  server: HttpServer | HttpsServer,
  opts: SignallingOptions,
): Signalling {
  const { logger, clock } = opts;
  const connected = new Map<string, WebSocket>();
  let sockets: WebSocketServer | null = null;
  /**
   * PeerJS refuses an id that is still registered with another token (ID-TAKEN) until the old
   * socket closes, which for a half-open connection (the device changed networks) takes up to
   * `alive_timeout`. A device that just proved its key with a fresh token replaces it at once.
   */
  const admit = (id: string, device: boolean, done: (ok: boolean) => void) => {
    const old = connected.get(id);
    if (!device || !old || old.readyState === WebSocket.CLOSED) {
      done(true);
      return;
    }
    logger.log('info', 'peer.replaced', { peer_id: id });
    old.once('close', () => done(true));
    old.terminate();
  };
  const createWebSocketServer = (options: ServerOptions) => {
    sockets = new WebSocketServer({
      ...options,
      maxPayload: MAX_SIGNAL_MESSAGE_BYTES,
      verifyClient: (info, done) => {
        void admitPeer(info.req.url, clock.now()).then(
          (admission) => {
            if (admission.ok) {
              admit(admission.id, admission.device, done);
              return;
            }
            logger.log('warn', 'peer.refused', { peer_id: admission.id, reason: admission.reason });
            done(false, admission.status);
          },
          () => done(false, 500),
        );
      },
    });
    return sockets;
  };
  const peerServer = ExpressPeerServer(server, {
    path: '/',
    allow_discovery: false,
    concurrent_limit: opts.maxPeers,
    // peer turns any truthy value into `trust proxy: true` on its own sub-app; that app's
    // routes (/id) never read the client address, so a boolean is all it needs
    proxied: opts.trustProxy !== false,
    createWebSocketServer,
    // PeerJS's HTTP API is only for clients without an id of their own (Disco's always have
    // one): no CORS grant, where peer's default reflects any Origin (issue #12.13)
    corsOptions: { origin: false },
  });
  peerServer.disable('x-powered-by');
  peerServer.on('connection', (client: IClient) => {
    const socket = client.getSocket();
    if (socket) connected.set(client.getId(), socket);
    logger.log('info', 'peer.connected', {
      peer_id: client.getId(),
      device: PEER_ID_PATTERN.test(client.getId()),
    });
  });
  peerServer.on('disconnect', (client: IClient) => {
    if (connected.get(client.getId()) === client.getSocket() || !client.getSocket())
      connected.delete(client.getId());
    logger.log('info', 'peer.disconnected', { peer_id: client.getId() });
    if (!connected.has(client.getId())) opts.onDisconnect?.(client.getId());
  });
  peerServer.on('error', (err: Error) => {
    logger.log('warn', 'peer.error', { error: err.name });
  });
  mount.use(peerServer); // emits 'mount': peer creates its WebSocket server now
  return {
    peers: () => connected.size,
    hasPeer: (id) => connected.has(id),
    close: () =>
      new Promise<void>((resolve) => {
        const wss: WebSocketServer | null = sockets;
        if (!wss) {
          resolve();
          return;
        }
        for (const socket of wss.clients) socket.terminate();
        wss.close(() => resolve());
      }),
  };
}
