import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import { orUnavailable, type RedisConnection } from './redis_connection.js';

/**
 * One fixed window per key, as express-rate-limit's MemoryStore counts: the first hit starts
 * the window (PEXPIRE), later hits only count. One script, so the count and the expiry are set
 * together (a crash between INCR and PEXPIRE would leave a key that never expires).
 * KEYS[1] the counter; ARGV[1] the window in ms. Returns { hits, ms left }.
 */
const INCREMENT = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { n, ttl }
`;
/** Takes one hit back, never below zero, keeping the window. */
const DECREMENT = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 0
`;

/**
 * An express-rate-limit `Store` in Redis, so every relay process of a cluster counts against
 * the same budget (issue #14). Hand-written rather than `rate-limit-redis`, which is not a
 * dependency here: it is two small Lua scripts on the connection the relay already has. While
 * Redis is down every call fails with ERR_RELAY_STORE_UNAVAILABLE, which the relay answers 503
 * (express-rate-limit passes store errors on unless `passOnStoreError`).
 */
export class RedisRateLimitStore implements Store {
  readonly #client: RedisConnection;
  readonly #name: string;
  #windowMs = 60_000;
  /** Not kept in this process: counts are shared. */
  readonly localKeys = false;

  /** `name` tells limiters apart (each has its own keys) under the relay's `prefix`. */
  constructor(client: RedisConnection, prefix: string, name: string) {
    this.#client = client;
    this.#name = `${prefix}rate:${name}:`;
  }

  get prefix(): string {
    return this.#name;
  }

  init(options: Options): void {
    this.#windowMs = options.windowMs;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const [hits, ms] = (await orUnavailable(() =>
      this.#client.eval(INCREMENT, {
        keys: [this.#name + key],
        arguments: [String(this.#windowMs)],
      }),
    )) as [number, number];
    return { totalHits: Number(hits), resetTime: new Date(Date.now() + Number(ms)) };
  }

  /**
   * Never rejects: express-rate-limit calls it from an async `finish` listener (for
   * `skipSuccessfulRequests`), where a rejection would go unhandled. A hit not taken back
   * while Redis is down only counts until its window ends.
   */
  async decrement(key: string): Promise<void> {
    await this.#client.eval(DECREMENT, { keys: [this.#name + key] }).catch(() => undefined);
  }

  async resetKey(key: string): Promise<void> {
    await orUnavailable(() => this.#client.del(this.#name + key));
  }
}
