import type { IcePolicy } from '../../protocol/tunnel/index.js';
import type { RelayOptions, TurnOptions } from './config.js';
import type { RateLimitConfig } from './rate_limit_config.js';

type EnvOptions = Partial<Omit<RelayOptions, 'deviceLink' | 'rateLimits' | 'turn'>> & {
  rateLimits?: Partial<RateLimitConfig>;
  turn?: TurnOptions;
};

/** Environment variables the relay reads, and the option each sets. */
export const RELAY_ENV = {
  DISCO_RELAY_PUBLIC_URL: 'publicUrl',
  DISCO_RELAY_PEERJS_PATH: 'peerjsPath',
  DISCO_RELAY_UID_LIFETIME_SECONDS: 'uidLifetimeSeconds',
  DISCO_RELAY_LONG_POLL_SECONDS: 'longPollSeconds',
  DISCO_RELAY_ALLOW_LOOPBACK_CALLBACKS: 'allowLoopbackCallbacks',
  DISCO_RELAY_TAMPER_FOR_TESTS: 'tamperForTests',
  DISCO_RELAY_TRUST_PROXY: 'trustProxy',
  DISCO_RELAY_MAX_PEERS: 'maxPeers',
  DISCO_RELAY_MAX_PEERS_PER_ADDRESS: 'maxPeersPerAddress',
  DISCO_RELAY_TUNNEL_BODY_TIMEOUT_MS: 'tunnelBodyTimeoutMs',
  DISCO_RELAY_TUNNEL_BODY_BYTES_PER_ADDRESS: 'tunnelBodyBytesPerAddress',
  DISCO_RELAY_TUNNEL_BODY_BYTES: 'tunnelBodyBytes',
  DISCO_REDIS_URL: 'redisUrl',
  DISCO_REDIS_PREFIX: 'redisPrefix',
} as const;

/** Rate-limit variables: `DISCO_RELAY_RATE_<NAME>` sets `rateLimits.<name>`. */
export const RELAY_RATE_ENV: Record<string, keyof RateLimitConfig> = {
  DISCO_RELAY_RATE_WINDOW_MS: 'windowMs',
  DISCO_RELAY_RATE_CREATE_PER_ADDRESS: 'createPerAddress',
  DISCO_RELAY_RATE_CREATE_PER_CERTIFICATE: 'createPerCertificate',
  DISCO_RELAY_RATE_PAIR_PER_ADDRESS: 'pairPerAddress',
  DISCO_RELAY_RATE_PAIR_FAILURES_PER_RELAY: 'pairFailuresPerRelay',
  DISCO_RELAY_RATE_WAIT_PER_ADDRESS: 'waitPerAddress',
  DISCO_RELAY_RATE_ICE_PER_ADDRESS: 'icePerAddress',
  DISCO_RELAY_RATE_OFFERS_PER_SOURCE: 'offersPerSource',
};

/**
 * TURN variables: `DISCO_RELAY_TURN_URLS` (comma-separated) and `DISCO_RELAY_TURN_SECRET` set
 * `turn` together; `DISCO_RELAY_TURN_TTL_SECONDS` and `DISCO_RELAY_TURN_POLICY` refine it.
 */
export const RELAY_TURN_ENV = [
  'DISCO_RELAY_TURN_URLS',
  'DISCO_RELAY_TURN_SECRET',
  'DISCO_RELAY_TURN_TTL_SECONDS',
  'DISCO_RELAY_TURN_POLICY',
] as const;

function turnFromEnv(env: Readonly<Record<string, string | undefined>>): TurnOptions | undefined {
  const urls = env.DISCO_RELAY_TURN_URLS?.trim();
  const secret = env.DISCO_RELAY_TURN_SECRET?.trim();
  const ttl = env.DISCO_RELAY_TURN_TTL_SECONDS?.trim();
  const policy = env.DISCO_RELAY_TURN_POLICY?.trim();
  if (!urls && !secret) {
    if (ttl || policy)
      throw new TypeError('DISCO_RELAY_TURN_URLS and DISCO_RELAY_TURN_SECRET must be set too');
    return undefined;
  }
  if (!urls || !secret)
    throw new TypeError('DISCO_RELAY_TURN_URLS and DISCO_RELAY_TURN_SECRET go together');
  if (policy && policy !== 'relay' && policy !== 'all')
    throw new TypeError(`DISCO_RELAY_TURN_POLICY must be relay or all, not "${policy}"`);
  return {
    urls: urls
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean),
    secret,
    ...(ttl ? { ttlSeconds: number('DISCO_RELAY_TURN_TTL_SECONDS', ttl) } : {}),
    ...(policy ? { policy: policy as IcePolicy } : {}),
  };
}

const NUMBER_OPTIONS = new Set([
  'uidLifetimeSeconds',
  'longPollSeconds',
  'maxPeers',
  'maxPeersPerAddress',
  'tunnelBodyTimeoutMs',
  'tunnelBodyBytesPerAddress',
  'tunnelBodyBytes',
]);
const BOOLEAN_OPTIONS = new Set(['allowLoopbackCallbacks', 'tamperForTests']);

function number(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new RangeError(`${name} must be a whole number, not "${value}"`);
  return Number(value);
}

function boolean(name: string, value: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new TypeError(`${name} must be true or false, not "${value}"`);
}

/**
 * Relay options from environment variables (see RELAY_ENV and RELAY_RATE_ENV); unset or empty
 * variables are left out, so explicit options and defaults apply. Malformed values throw with
 * the variable's name; ranges are checked by `resolveRelayConfig`.
 */
export function relayOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): EnvOptions {
  const out: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(RELAY_ENV)) {
    const value = env[name]?.trim();
    if (!value) continue;
    if (NUMBER_OPTIONS.has(option)) out[option] = number(name, value);
    else if (BOOLEAN_OPTIONS.has(option)) out[option] = boolean(name, value);
    else if (option === 'trustProxy')
      out[option] = value === 'false' ? false : /^\d+$/.test(value) ? Number(value) : value;
    else out[option] = value;
  }
  const rateLimits: Partial<Record<keyof RateLimitConfig, number>> = {};
  for (const [name, option] of Object.entries(RELAY_RATE_ENV)) {
    const value = env[name]?.trim();
    if (value) rateLimits[option] = number(name, value);
  }
  if (Object.keys(rateLimits).length > 0) out.rateLimits = rateLimits;
  const turn = turnFromEnv(env);
  if (turn) out.turn = turn;
  return out;
}

/**
 * The development switches of `npm start` (src/start/main.ts), read from the environment
 * rather than hard-coded (issue #12.13): with `NODE_ENV=production` all off and `production`
 * on (so the relay refuses them and plain-http public URLs); otherwise loopback callbacks are
 * allowed and `DISCO_RELAY_TAMPER=1` turns the test tamper on. These are safe only while
 * everything is bound to 127.0.0.1: `exposed` says when `host` is not a loopback address, so
 * that `npm start` can say so loudly.
 */
export function localStackSwitches(
  env: Readonly<Record<string, string | undefined>>,
  host: string,
): {
  production: boolean;
  allowLoopbackCallbacks: boolean;
  tamperForTests: boolean;
  exposed: boolean;
} {
  const production = env.NODE_ENV === 'production';
  return {
    production,
    allowLoopbackCallbacks: !production,
    tamperForTests: !production && env.DISCO_RELAY_TAMPER === '1',
    exposed: !production && !/^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(host),
  };
}
