import { randomBytes } from 'node:crypto';
import express, { type Router } from 'express';
import { iceConfigToWire, type IceConfig } from '../../protocol/tunnel/index.js';
import { turnCredentials, turnLabel } from '../turn/credentials.js';
import type { RelayConfig } from './config.js';
import type { RelayContext } from './context.js';
import { cors } from './cors.js';
import { addressKey } from './rate_limits.js';

/**
 * The ICE configuration the relay hands out now: its TURN servers with fresh REST-API
 * credentials, or no servers at all when it has none. Devices, the SDK and the relay's own link
 * all use it. For a client address the label is `turnLabel` of it, so coturn's `user-quota`
 * caps the allocations of that address however many answers it collects (issue #12.12); the
 * relay's own link (no address) gets a random label per call, as it leaves allocations behind
 * that coturn frees only when they expire.
 */
export function currentIceConfig(
  config: Pick<RelayConfig, 'turn' | 'clock'>,
  clientAddress?: string,
): IceConfig {
  const { turn, clock } = config;
  const now = clock.now();
  if (!turn) return { iceServers: [], iceTransportPolicy: 'all', expiresAt: now + 86_400_000 };
  const expiresAtSeconds = Math.floor(now / 1000) + turn.ttlSeconds;
  const label =
    clientAddress === undefined
      ? randomBytes(6).toString('hex')
      : turnLabel(turn.secret, addressKey(clientAddress));
  const { username, credential } = turnCredentials(turn.secret, label, expiresAtSeconds);
  return {
    iceServers: [{ urls: [...turn.urls], username, credential }],
    iceTransportPolicy: turn.policy,
    expiresAt: expiresAtSeconds * 1000,
  };
}

/**
 * `GET /ice-servers` (docs/wire/relay.md): open to anyone, like the TURN credentials of any
 * WebRTC service, so it is rate-limited per address (`rateLimits.icePerAddress`, 429
 * ERR_RATE_LIMITED), its credentials are short-lived and bound to the caller's address.
 */
export function iceServerRoutes(ctx: RelayContext): Router {
  const router = express.Router();
  router.use('/ice-servers', cors);
  router.get('/ice-servers', ctx.limiters.icePerAddress, (req, res) => {
    res
      .set('cache-control', 'no-store')
      .json(iceConfigToWire(currentIceConfig(ctx.config, req.ip ?? '')));
  });
  return router;
}
