import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import express, { type Express } from 'express';
import { ExpressPeerServer, type IClient } from 'peer';
import { WebSocket, WebSocketServer, type ServerOptions } from 'ws';
import type { Clock } from '../../protocol/encoding/index.js';
import { DiscoError, isDiscoError, toWire, type ErrorCode } from '../../protocol/errors/index.js';
import { PEER_ID_PATTERN, PEER_TOKEN_MAX_AGE_SECONDS } from '../../protocol/tunnel/index.js';
import type { Logger } from './log.js';
import { admitPeer } from './peer_auth.js';
import { addressKey } from './rate_limits.js';
import {
  DEFAULT_OFFLINE_QUEUE,
  OfflineQueueBudget,
  QUEUE_CLEANUP_MS,
  QUEUE_EXPIRE_MS,
  SpentTokens,
  WindowCounter,
} from './signal_budget.js';
import type { PeerDirectory, RoutedMessage } from './peer_directory.js';
import { signalSocketClass, type SignalSocket } from './signal_socket.js';
import { replacePeer } from './replace_peer.js';

/** Signalling messages (SDP offers/answers, ICE candidates) are small; ws would take 100 MiB. */
const MAX_SIGNAL_MESSAGE_BYTES = 64 * 1024;

export interface Signalling {
  /** PeerJS clients connected now. */
  peers(): number;
  /** Whether a client with this id is connected to this process now. */
  hasPeer(id: string): boolean;
  /**
   * In a cluster: whether any process holds a client with this id (the directory); without one,
   * false. Rejects with ERR_RELAY_STORE_UNAVAILABLE while Redis is down.
   */
  locate(id: string): Promise<boolean>;
  /** Closes every signalling socket and stops accepting new ones. */
  close(): Promise<void>;
}

export interface SignallingOptions {
  readonly maxPeers: number;
  /** Most signalling sockets from one client address (`addressKey`). */
  readonly maxPeersPerAddress: number;
  /** OFFERs from one client address to one peer per `windowMs`. */
  readonly offersPerSource: number;
  readonly windowMs: number;
  readonly trustProxy: false | number | string;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Told when a peer's signalling socket goes (the device link drops its channel at once). */
  readonly onDisconnect?: (peerId: string) => void;
  /** In a cluster (issue #14): the directory of which process holds which peer, and the bus. */
  readonly directory?: PeerDirectory;
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
  const { logger, clock, directory } = opts;
  const connected = new Map<string, WebSocket>();
  /** Delivers a message from another process to the socket here, or turns an OFFER back. */
  const deliver = (message: RoutedMessage) => {
    const socket = connected.get(message.dst);
    if (socket?.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
      return;
    }
    // the peer left (or moved) meanwhile: PeerJS's "peer-unavailable" for the caller
    if (message.type === 'OFFER' && directory) {
      const expire = { type: 'EXPIRE', src: message.dst, dst: message.src };
      void directory
        .locate(message.src)
        .then((owner) => {
          if (owner === directory.processId)
            connected.get(message.src)?.send(JSON.stringify(expire));
          else if (owner) return directory.send(owner, { kind: 'signal', message: expire });
        })
        .catch(() => undefined);
    }
  };
  directory?.onMessage((event) => {
    if (event.kind === 'signal') deliver(event.message);
    else if (event.kind === 'takeover') {
      // a second connection with a valid token, on another process, holds the id now
      const old = connected.get(event.id);
      if (!old) return;
      logger.log('info', 'peer.replaced', { peer_id: event.id, elsewhere: true });
      void replacePeer(old);
    } else if (event.kind === 'connected' && event.processId !== directory.processId) {
      // the device has a new peer on another process: what this one's link holds is stale
      opts.onDisconnect?.(event.id);
    }
  });
  const claims = new WeakMap<IncomingMessage, string>();
  let sockets: WebSocketServer | null = null;
  const now = () => clock.now();
  const offline = new OfflineQueueBudget(DEFAULT_OFFLINE_QUEUE, now);
  const SignalSocketClass = signalSocketClass({
    logger,
    isOnline: (id) => connected.has(id),
    offline,
    offers: new WindowCounter(opts.offersPerSource, opts.windowMs, now),
    ...(directory
      ? {
          route: {
            self: directory.processId,
            locate: (id: string) => directory.locate(id),
            forward: (processId: string, message: RoutedMessage) =>
              directory.send(processId, { kind: 'signal', message }),
          },
        }
      : {}),
  });
  const spent = new SpentTokens(now(), PEER_TOKEN_MAX_AGE_SECONDS * 1000, 60_000);
  // the client address as Express computes `req.ip` under the relay's `trust proxy`
  const trust = express().set('trust proxy', opts.trustProxy);
  const ipDescriptor = Object.getOwnPropertyDescriptor(express.request, 'ip');
  // called with an explicit `this` below, the way Express itself calls it
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const ipOf = ipDescriptor!.get as (this: unknown) => unknown;
  const addressOf = (req: IncomingMessage) =>
    addressKey(
      ipOf.call({
        app: trust,
        headers: req.headers,
        connection: req.socket,
        socket: req.socket,
      }) as string | undefined,
    );
  const addresses = new WeakMap<IncomingMessage, string>();
  const perAddress = new Map<string, number>();
  let open = 0;
  /**
   * Holds a socket slot for `req` until its TCP socket closes (refused, upgraded and closed
   * alike), or says why there is none: the relay's `maxPeers`, or one address's share of it
   * (issue #12.11: one address took every slot).
   */
  const reserve = (req: IncomingMessage): DiscoError | null => {
    const address = addressOf(req);
    const mine = perAddress.get(address) ?? 0;
    if (open >= opts.maxPeers)
      return new DiscoError('ERR_RELAY_BUSY', 'The relay has no free signalling slot.');
    if (mine >= opts.maxPeersPerAddress)
      return new DiscoError('ERR_RELAY_BUSY', 'Too many signalling sockets from this address.');
    open++;
    perAddress.set(address, mine + 1);
    addresses.set(req, address);
    req.socket.once('close', () => {
      open--;
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
    return null;
  };
  /** A refused handshake: the documented status, with a typed error body. */
  const refuse = (
    done: (
      ok: boolean,
      status?: number,
      message?: string,
      headers?: Record<string, string>,
    ) => void,
    status: number,
    code: ErrorCode,
    message: string,
  ) => {
    const body = JSON.stringify(toWire(new DiscoError(code, message)).body);
    done(false, status, body, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
  };
  /**
   * PeerJS refuses an id that is still registered with another token (ID-TAKEN) until the old
   * socket closes, which for a half-open connection (the device changed networks) takes up to
   * `alive_timeout`. A device that just proved its key with a fresh token replaces it at once,
   * and the old socket is told why (`replacePeer`: DISCO_REPLACED), so a second copy of the
   * device stops there instead of reconnecting and taking the id back.
   */
  const admit = (id: string, device: boolean, done: (ok: boolean) => void) => {
    const old = connected.get(id);
    if (!device || !old || old.readyState === WebSocket.CLOSED) {
      done(true);
      return;
    }
    logger.log('info', 'peer.replaced', { peer_id: id });
    void replacePeer(old).then(() => done(true));
  };
  /**
   * In a cluster the token must be new to every process, not only this one, and the id is
   * claimed in the directory (its old process is told to let go). Null when admitted.
   */
  const claimInCluster = async (
    dir: PeerDirectory,
    req: IncomingMessage,
    admission: { id: string; device: boolean; token?: { value: string } },
  ): Promise<{ status: number; code: ErrorCode; message: string } | null> => {
    const token = new URL(req.url ?? '', 'http://relay.invalid').searchParams.get('token') ?? '';
    try {
      if (
        admission.token &&
        !(await dir.spend(admission.token.value, (PEER_TOKEN_MAX_AGE_SECONDS + 60) * 1000))
      )
        return {
          status: 401,
          code: 'ERR_REQUEST_REPLAYED',
          message: 'This peer token has been used already.',
        };
      const claim = await dir.claim(admission.id, token, admission.device);
      if (claim === null)
        return {
          status: 409,
          code: 'ERR_STORE_CONFLICT',
          message: 'This peer id is held with another token.',
        };
      claims.set(req, claim);
      // a device connecting here may have been on another process: this process's link may
      // hold a channel to its old peer (the others hear of it on the bus)
      if (admission.device) opts.onDisconnect?.(admission.id);
      return null;
    } catch {
      return {
        status: 503,
        code: 'ERR_RELAY_STORE_UNAVAILABLE',
        message: "The relay's shared store cannot be reached.",
      };
    }
  };
  const createWebSocketServer = (options: ServerOptions) => {
    sockets = new WebSocketServer({
      ...options,
      maxPayload: MAX_SIGNAL_MESSAGE_BYTES,
      WebSocket: SignalSocketClass,
      verifyClient: (info, done) => {
        const busy = reserve(info.req);
        if (busy) {
          logger.log('warn', 'peer.refused', { reason: busy.message });
          refuse(done, 503, busy.code, busy.message);
          return;
        }
        void admitPeer(info.req.url, clock.now()).then(
          async (admission) => {
            if (!admission.ok) {
              logger.log('warn', 'peer.refused', {
                peer_id: admission.id,
                reason: admission.reason,
              });
              const code = admission.status === 401 ? admission.reason : 'ERR_INVALID_INPUT';
              refuse(
                done,
                admission.status,
                code as ErrorCode,
                'This peer id or token is refused.',
              );
              return;
            }
            if (
              admission.token &&
              !spent.spend(admission.token.value, admission.token.iatMs, now())
            ) {
              logger.log('warn', 'peer.refused', {
                peer_id: admission.id,
                reason: 'ERR_REQUEST_REPLAYED',
              });
              refuse(done, 401, 'ERR_REQUEST_REPLAYED', 'This peer token has been used already.');
              return;
            }
            if (directory) {
              const refused = await claimInCluster(directory, info.req, admission);
              if (refused) {
                logger.log('warn', 'peer.refused', { peer_id: admission.id, reason: refused.code });
                refuse(done, refused.status, refused.code, refused.message);
                return;
              }
            }
            admit(admission.id, admission.device, done);
          },
          (err: unknown) =>
            refuse(done, 500, isDiscoError(err) ? err.code : 'ERR_INTERNAL', 'Admission failed.'),
        );
      },
    });
    sockets.on('connection', (socket: SignalSocket, req: IncomingMessage) => {
      socket.peerId = new URL(req.url ?? '', 'http://relay.invalid').searchParams.get('id') ?? '';
      socket.address = addresses.get(req) ?? 'unknown';
      const claim = claims.get(req);
      if (directory && claim) {
        const id = socket.peerId;
        directory.hold(id, claim);
        socket.once('close', () => void directory.release(id, claim).catch(() => undefined));
      }
    });
    return sockets;
  };
  const peerServer = ExpressPeerServer(server, {
    path: '/',
    allow_discovery: false,
    // the relay counts sockets itself (typed 503 in the handshake); peer's count never binds
    concurrent_limit: opts.maxPeers + 1,
    // what `OfflineQueueBudget` mirrors
    expire_timeout: QUEUE_EXPIRE_MS,
    cleanup_out_msgs: QUEUE_CLEANUP_MS,
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
    offline.delivered(client.getId());
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
    locate: async (id) =>
      connected.has(id) || (directory ? (await directory.locate(id)) !== null : false),
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
