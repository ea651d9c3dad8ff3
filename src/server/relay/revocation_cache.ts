import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import { MemoryStore, rateLimit } from 'express-rate-limit';
import {
  checkPublishedList,
  DEVICE_REVOCATIONS_PATH,
  listOfBody,
  type CachedRevocationList,
} from '../../protocol/certificates/index.js';
import { DiscoError, isDiscoError } from '../../protocol/errors/index.js';
import { PEER_ID_PATTERN } from '../../protocol/tunnel/peer_id.js';
import type { RelayContext } from './context.js';
import { cors } from './cors.js';
import { sendError } from './http_errors.js';
import { addressKey } from './rate_limits.js';
import { RedisRateLimitStore } from './redis_rate_limit_store.js';
import type { RedisConnection } from './redis_connection.js';
import { RedisRevocationStore } from './redis_revocation_store.js';
import { MemoryRevocationStore, type RevocationStore } from './revocation_store.js';

/** When the relay's copy is older than this, a GET asks the device through the tunnel first. */
export const REFRESH_AFTER_MS = 60_000;
/** Tunnel asks for one device's list are at least this far apart (it cannot be hammered through us). */
const ASK_SPACING_MS = 2_000;
const ASK_TIMEOUT_MS = 5_000;
/** The device's answer is `{ "list": "<base64url>" }`: the list's limit, in base64url, plus the JSON. */
const MAX_BODY_BYTES = 56 * 1024;

export interface RevocationCacheOptions {
  refreshAfterMs?: number;
  askTimeoutMs?: number;
  /** PUTs per client address per rate-limit window (each costs one Ed25519 verify). */
  publishesPerAddress?: number;
  /** Counts PUTs here (a limiter in Redis for a cluster); default: in this process. */
  publishLimiter?: RequestHandler;
}

/** A device publishes when it revokes: a few a minute is plenty, from one address. */
const PUBLISHES_PER_ADDRESS = 30;

function publishLimiter(
  ctx: RelayContext,
  limit: number,
  redis?: { client: RedisConnection; prefix: string },
): RequestHandler {
  return rateLimit({
    windowMs: ctx.config.rateLimits.windowMs,
    limit,
    store: redis
      ? new RedisRateLimitStore(redis.client, redis.prefix, 'revocations_put_address')
      : new MemoryStore(),
    keyGenerator: (req) => addressKey(req.ip),
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    validate: { xForwardedForHeader: false },
    handler: (_req, res) => {
      ctx.logger.log('warn', 'rate_limited', { limiter: 'revocations_put_address' });
      sendError(res, new DiscoError('ERR_RATE_LIMITED', 'Too many requests; try again later.'));
    },
  });
}

/**
 * The relay's cache of capability revocation lists (issue #8; docs/wire/certificates.md "The relay's
 * cache of lists"), so that verifiers get a device's list without reaching the device each time,
 * and a revocation reaches them as soon as the device publishes it:
 *
 * - `PUT /capability/revocations/<peer id>` `{ "list": "<base64url envelope>" }`: the device
 *   publishes its list when it changes. No other credential is needed: the list must be signed by
 *   the identity key whose peer id is in the path, and it must move the cached list forward
 *   (`compareCachedLists`): `204`; a lower sequence, or another list under the same sequence, is
 *   `ERR_CAP_REVOCATIONS_ROLLBACK`; a list over 40 000 bytes `ERR_CAP_TOO_LARGE`.
 * - `GET /capability/revocations/<peer id>`: public, `{ "list": … }` as the device answers it,
 *   with an ETag. A copy signed more than a minute ago is first refreshed through the tunnel
 *   (`GET /disco/capability/revocations`) when the device is online; if that fails the old copy
 *   is served, and the verifier's freshness window (300 s) decides. Nothing cached and the device
 *   unreachable: `504 ERR_DEVICE_UNREACHABLE`.
 */
export function revocationCacheRoutes(
  ctx: RelayContext,
  store: RevocationStore,
  o: RevocationCacheOptions = {},
): Router {
  const refreshAfterMs = o.refreshAfterMs ?? REFRESH_AFTER_MS;
  const askTimeoutMs = o.askTimeoutMs ?? ASK_TIMEOUT_MS;
  const { config, logger, lifecycle } = ctx;
  const now = () => config.clock.now();
  /** One ask per device at a time; the time of the last, for online devices only (bounded). */
  const asking = new Map<string, Promise<CachedRevocationList | undefined>>();
  const lastAsk = new Map<string, number>();

  async function ask(peerId: string): Promise<CachedRevocationList | undefined> {
    if (now() - (lastAsk.get(peerId) ?? -Infinity) < ASK_SPACING_MS) return undefined;
    if (!(await ctx.isDeviceOnline(peerId))) return undefined;
    if (lastAsk.size > 10_000) lastAsk.clear();
    lastAsk.set(peerId, now());
    const work = lifecycle.work(askTimeoutMs);
    try {
      const answer = await config.deviceLink.request(
        peerId,
        {
          method: 'GET',
          path: DEVICE_REVOCATIONS_PATH,
          headers: { accept: 'application/json' },
        },
        work.signal,
      );
      if (answer.status !== 200 || answer.body.length > MAX_BODY_BYTES) {
        throw new DiscoError('ERR_RESPONSE_UNTRUSTED', `the device answered ${answer.status}`);
      }
      const json: unknown = JSON.parse(new TextDecoder().decode(answer.body));
      const { entry } = await checkPublishedList(listOfBody(json), peerId, { now: now() });
      const decision = await store.offer(peerId, entry);
      logger.log('info', 'revocations.refreshed', { peer_id: peerId, outcome: decision });
      return await store.get(peerId);
    } catch (err) {
      logger.log('info', 'revocations.refreshed', {
        peer_id: peerId,
        outcome: isDiscoError(err) ? err.code : 'ERR_RESPONSE_UNTRUSTED',
      });
      return undefined;
    } finally {
      work.done();
    }
  }

  function refreshed(peerId: string): Promise<CachedRevocationList | undefined> {
    let pending = asking.get(peerId);
    if (!pending) {
      pending = ask(peerId).finally(() => asking.delete(peerId));
      asking.set(peerId, pending);
      lifecycle.track(pending);
    }
    return pending;
  }

  const peerOf = (req: Request): string => {
    const peerId = String(req.params.peerId);
    if (!PEER_ID_PATTERN.test(peerId)) throw new DiscoError('ERR_NOT_FOUND', 'Not a device.');
    return peerId;
  };
  const run =
    (handler: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction) => {
      handler(req, res).catch(next);
    };

  const router = express.Router();
  router.use('/capability/revocations', cors);
  router.get(
    '/capability/revocations/:peerId',
    run(async (req, res) => {
      const peerId = peerOf(req);
      let entry = await store.get(peerId);
      if (!entry || now() - entry.issuedAt * 1000 >= refreshAfterMs) {
        entry = (await refreshed(peerId)) ?? entry;
      }
      if (!entry) {
        throw new DiscoError('ERR_DEVICE_UNREACHABLE', 'No list cached, and the device is away.');
      }
      // Cacheable, but checked each time (an ETag): a revocation must not wait in an HTTP cache.
      res.set('cache-control', 'public, no-cache').json({ list: entry.list });
    }),
  );
  router.put(
    '/capability/revocations/:peerId',
    o.publishLimiter ?? publishLimiter(ctx, o.publishesPerAddress ?? PUBLISHES_PER_ADDRESS),
    express.json({ limit: MAX_BODY_BYTES }),
    run(async (req, res) => {
      const peerId = peerOf(req);
      const { entry } = await checkPublishedList(listOfBody(req.body), peerId, { now: now() });
      const decision = await store.offer(peerId, entry);
      logger.log('info', 'revocations.published', { peer_id: peerId, outcome: decision });
      if (decision === 'rollback' || decision === 'conflict') {
        throw new DiscoError(
          'ERR_CAP_REVOCATIONS_ROLLBACK',
          decision === 'rollback'
            ? 'The relay holds a list with a higher sequence number.'
            : 'The relay holds another list under this sequence number.',
        );
      }
      res.status(204).set('cache-control', 'no-store').end();
    }),
  );
  return router;
}

/**
 * The cache's routes with the relay's store: in Redis for a cluster (issue #14: every process
 * serves the same lists and refuses the same rollbacks), else in this process's memory.
 */
export function revocationCache(
  ctx: RelayContext,
  cluster?: { readonly directory: { readonly client: RedisConnection }; readonly prefix: string },
  o?: RevocationCacheOptions,
): Router {
  if (!cluster) {
    return revocationCacheRoutes(ctx, new MemoryRevocationStore({ clock: ctx.config.clock }), o);
  }
  const redis = { client: cluster.directory.client, prefix: cluster.prefix };
  return revocationCacheRoutes(ctx, new RedisRevocationStore(redis.client, redis.prefix), {
    publishLimiter: publishLimiter(ctx, o?.publishesPerAddress ?? PUBLISHES_PER_ADDRESS, redis),
    ...o,
  });
}
