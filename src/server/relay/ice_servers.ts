import { randomBytes } from 'node:crypto';
import express, { type Router } from 'express';
import { iceConfigToWire, type IceConfig } from '../../protocol/tunnel/index.js';
import { turnCredentials } from '../turn/credentials.js';
import type { RelayConfig } from './config.js';
import type { RelayContext } from './context.js';
import { cors } from './cors.js';

/**
 * The ICE configuration the relay hands out now: its TURN servers with fresh REST-API
 * credentials (a random label per answer, so coturn's per-user quota is per answer), or no
 * servers at all when it has none. Devices, the SDK and the relay's own link all use it.
 */
export function currentIceConfig(config: Pick<RelayConfig, 'turn' | 'clock'>): IceConfig {
  const { turn, clock } = config;
  const now = clock.now();
  if (!turn) return { iceServers: [], iceTransportPolicy: 'all', expiresAt: now + 86_400_000 };
  const expiresAtSeconds = Math.floor(now / 1000) + turn.ttlSeconds;
  const { username, credential } = turnCredentials(
    turn.secret,
    randomBytes(6).toString('hex'),
    expiresAtSeconds,
  );
  return {
    iceServers: [{ urls: [...turn.urls], username, credential }],
    iceTransportPolicy: turn.policy,
    expiresAt: expiresAtSeconds * 1000,
  };
}

/**
 * `GET /ice-servers` (docs/wire/relay.md): open to anyone, like the TURN credentials of any
 * WebRTC service, so it is limited per address and the credentials are short-lived.
 */
export function iceServerRoutes(ctx: RelayContext): Router {
  const router = express.Router();
  router.use('/ice-servers', cors);
  router.get('/ice-servers', ctx.limiters.icePerAddress, (_req, res) => {
    res.set('cache-control', 'no-store').json(iceConfigToWire(currentIceConfig(ctx.config)));
  });
  return router;
}
