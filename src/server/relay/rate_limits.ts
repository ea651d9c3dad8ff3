import type { Request, RequestHandler, Response } from 'express';
import { MemoryStore, rateLimit } from 'express-rate-limit';
import ipaddr from 'ipaddr.js';
import { DiscoError } from '../../protocol/errors/index.js';
import { sendError } from './http_errors.js';
import type { Logger } from './log.js';
import type { RateLimitConfig } from './rate_limit_config.js';
import type { RedisConnection } from './redis_connection.js';
import { RedisRateLimitStore } from './redis_rate_limit_store.js';

/**
 * The rate-limit key of a client address: the IPv4 address, or the /56 prefix of an IPv6
 * address (IPv4-mapped IPv6 counts as its IPv4 address).
 */
export function addressKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  try {
    let address = ipaddr.parse(ip);
    if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress())
      address = (address as ipaddr.IPv6).toIPv4Address();
    if (address.kind() === 'ipv4') return address.toString();
    const parts = (address as ipaddr.IPv6).parts;
    const prefix = [parts[0]!, parts[1]!, parts[2]!, parts[3]! & 0xff00, 0, 0, 0, 0];
    return `${new ipaddr.IPv6(prefix).toString()}/56`;
  } catch {
    return 'unknown';
  }
}

export interface RelayLimiters {
  readonly createPerAddress: RequestHandler;
  /** Keys on `res.locals.thumbprint`, so it runs after the certificate is read. */
  readonly createPerCertificate: RequestHandler;
  readonly pairPerAddress: RequestHandler;
  /** Counts only failed guesses (404 unknown, 409 used uid), from everyone together. */
  readonly pairFailures: RequestHandler;
  readonly waitPerAddress: RequestHandler;
  readonly icePerAddress: RequestHandler;
  shutdown(): void;
}

/**
 * The relay's limiters (express-rate-limit): one memory store each, or, given `redis` (a relay
 * cluster, issue #14), one Redis store each, so that every process counts against one budget.
 */
export function createLimiters(
  config: RateLimitConfig,
  logger: Logger,
  redis?: { readonly client: RedisConnection; readonly prefix: string },
): RelayLimiters {
  const stores: MemoryStore[] = [];
  const limiter = (
    name: string,
    limit: number,
    keyGenerator: (req: Request, res: Response) => string,
    more: Pick<
      Parameters<typeof rateLimit>[0] & object,
      'requestWasSuccessful' | 'skipSuccessfulRequests'
    > = {},
  ): RequestHandler => {
    let store: MemoryStore | RedisRateLimitStore;
    if (redis) store = new RedisRateLimitStore(redis.client, redis.prefix, name);
    else stores.push((store = new MemoryStore()));
    return rateLimit({
      windowMs: config.windowMs,
      limit,
      store,
      keyGenerator,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      validate: { xForwardedForHeader: false },
      ...more,
      handler: (_req, res) => {
        logger.log('warn', 'rate_limited', { limiter: name });
        sendError(res, new DiscoError('ERR_RATE_LIMITED', 'Too many requests; try again later.'));
      },
    });
  };
  const byAddress = (req: Request) => addressKey(req.ip);
  return {
    createPerAddress: limiter('uid_create_address', config.createPerAddress, byAddress),
    createPerCertificate: limiter(
      'uid_create_certificate',
      config.createPerCertificate,
      (_req, res) => String(res.locals.thumbprint),
    ),
    pairPerAddress: limiter('uid_pair_address', config.pairPerAddress, byAddress),
    // Only guesses spend the world's budget: a well-formed body whose uid is unknown (404) or
    // taken (409). Malformed bodies guess nothing, and counting them let 30 addresses sending
    // garbage lock pairing for everyone (issue #12.13).
    pairFailures: limiter('uid_pair_failures', config.pairFailuresPerRelay, () => 'relay', {
      skipSuccessfulRequests: true,
      requestWasSuccessful: (_req, res) => res.statusCode !== 404 && res.statusCode !== 409,
    }),
    waitPerAddress: limiter('uid_wait_address', config.waitPerAddress, byAddress),
    icePerAddress: limiter('ice_servers_address', config.icePerAddress, byAddress),
    shutdown: () => stores.forEach((store) => store.shutdown()),
  };
}
