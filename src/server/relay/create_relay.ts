import { PEER_ID_PATTERN } from '../../protocol/tunnel/peer_id.js';
import type { IceConfig } from '../../protocol/tunnel/index.js';
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import express, { type Express } from 'express';
import { resolveRelayConfig, type RelayOptions } from './config.js';
import type { RelayContext } from './context.js';
import { errorHandler, notFound } from './http_errors.js';
import { discoveryRecordRoutes } from './discovery_record.js';
import { currentIceConfig, iceServerRoutes } from './ice_servers.js';
import { Lifecycle } from './lifecycle.js';
import { MemoryPairingStore } from './memory_pairing_store.js';
import { pairingRoutes } from './pairing_routes.js';
import { createLimiters } from './rate_limits.js';
import { revocationCache } from './revocation_cache.js';
import { mountSignalling, type Signalling } from './signalling.js';
import { tunnelRoutes } from './tunnel.js';

/** A relay: its Express app, the hook that adds PeerJS signalling to a server, and shutdown. */
export interface Relay {
  /** Serves `/uid…`, `/p/…`, `/healthz` and, once attached, the PeerJS path. */
  readonly app: Express;
  /** The normalized public URL (no trailing slash): `proxy_url`s are `<publicUrl>/p/<peer id>/`. */
  readonly publicUrl: string;
  /**
   * Adds PeerJS signalling (its WebSocket upgrades) to the server that serves `app`; once,
   * before or after `listen`. Until then the PeerJS path answers 404.
   */
  attach(server: HttpServer | HttpsServer): void;
  /** PeerJS clients connected now. */
  peers(): number;
  /** Whether a PeerJS client with this id (e.g. a device's peer id) is connected to this process now. */
  hasPeer(id: string): boolean;
  /** Part of a cluster (`redisUrl`): a peer may be connected to another process. */
  readonly clustered: boolean;
  /**
   * `/healthz` answers 503 from now on, so a load balancer sends this process nothing new,
   * while everything under way goes on (call `close` after the balancer noticed).
   */
  drain(): void;
  /**
   * ICE servers with fresh credentials, as `GET /ice-servers` answers: for the relay's own
   * WebRTC link, which needs the same TURN server as the devices. New credentials at every call.
   */
  iceConfig(): IceConfig;
  /**
   * Refuses new requests (503), ends long-polls (204) and tunnelled requests (504), waits for
   * callbacks under way, closes the signalling sockets, the pairing store and the device link.
   * Does not close the HTTP server, which belongs to the caller.
   */
  close(): Promise<void>;
}

/**
 * The Disco relay (DESIGN.md "relay"): pairing by uid, PeerJS signalling, and the HTTP tunnel
 * to devices. See docs/wire/relay.md for the endpoints and `RelayOptions` for the settings.
 */
export function createRelay(options: RelayOptions): Relay {
  const config = resolveRelayConfig(options);
  const { logger } = config;
  const { cluster } = config;
  if (config.redisUrl && !cluster)
    throw new TypeError('relay config: redisUrl needs startRelay (or a connected `cluster`)');
  const store = config.store ?? cluster?.store ?? new MemoryPairingStore({ clock: config.clock });
  const lifecycle = new Lifecycle();
  const limiters = createLimiters(
    config.rateLimits,
    logger,
    cluster && { client: cluster.directory.client, prefix: cluster.prefix },
  );
  let signalling: Signalling | null = null;
  let draining = false;
  const isDeviceOnline =
    config.isDeviceOnline ??
    ((id: string) => signalling?.hasPeer(id) || (signalling?.locate(id) ?? false));
  const ctx: RelayContext = { config, store, logger, lifecycle, limiters, isDeviceOnline };

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  // every answer, PeerJS's included: no browser may read a JSON answer as script or a page
  app.use((_req, res, next) => {
    res.set('x-content-type-options', 'nosniff');
    next();
  });
  // Answered even while closing (before the lifecycle guard): a balancer's health check sees
  // 503 as soon as the process drains, and sends it nothing new.
  app.get('/healthz', (_req, res) => {
    const ok = !draining && !lifecycle.closing;
    res
      .status(ok ? 200 : 503)
      .set('cache-control', 'no-store')
      .json({ ok, peers: signalling?.peers() ?? 0 });
  });
  app.use(lifecycle.guard);
  app.use(pairingRoutes(ctx));
  app.use(iceServerRoutes(ctx));
  if (options.discoveryRecord) app.use(discoveryRecordRoutes(options.discoveryRecord));
  app.use(tunnelRoutes(ctx));
  app.use(revocationCache(ctx, cluster));
  const peerMount = express();
  peerMount.disable('x-powered-by');
  app.use(config.peerjsPath, peerMount);
  app.use(notFound);
  app.use(errorHandler(logger));

  logger.log('info', 'relay.configured', {
    public_url: config.publicUrl,
    peerjs_path: config.peerjsPath,
    uid_lifetime_s: config.uidLifetimeSeconds,
    allow_loopback_callbacks: config.allowLoopbackCallbacks,
    tamper_for_tests: config.tamperForTests,
    turn_urls: config.turn?.urls.join(' ') ?? '',
    ice_transport_policy: config.turn?.policy ?? 'all',
  });
  if (config.tamperForTests) {
    logger.log('warn', 'relay.tamper_for_tests', {
      warning:
        '!!! TAMPER FOR TESTS IS ON: every tunnelled request body is altered. Never use this relay for real traffic. !!!',
    });
  }

  return {
    app,
    publicUrl: config.publicUrl,
    attach(server) {
      if (signalling) throw new Error('relay: attach() was called already');
      signalling = mountSignalling(peerMount, server, {
        maxPeers: config.maxPeers,
        maxPeersPerAddress: config.maxPeersPerAddress,
        offersPerSource: config.rateLimits.offersPerSource,
        windowMs: config.rateLimits.windowMs,
        trustProxy: config.trustProxy,
        logger,
        clock: config.clock,
        ...(cluster ? { directory: cluster.directory } : {}),
        onDisconnect: (peerId) => {
          if (PEER_ID_PATTERN.test(peerId)) config.deviceLink.forget?.(peerId);
        },
      });
    },
    peers: () => signalling?.peers() ?? 0,
    hasPeer: (id) => signalling?.hasPeer(id) ?? false,
    clustered: cluster !== undefined,
    drain() {
      draining = true;
    },
    // fresh credentials at every call (one HMAC): coturn counts its allocation quota per
    // username, and the relay's link makes one allocation per data connection it opens
    iceConfig: () => currentIceConfig(config),
    async close() {
      await lifecycle.close();
      limiters.shutdown();
      await signalling?.close();
      await store.close();
      await cluster?.directory.close();
      await config.deviceLink.close();
      logger.log('info', 'relay.closed', {});
    },
  };
}
