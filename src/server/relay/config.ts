import type { IcePolicy } from '../../protocol/tunnel/index.js';
import {
  systemClock,
  systemRandom,
  type Clock,
  type Random,
} from '../../protocol/encoding/index.js';
import type { DeviceLink } from '../../protocol/tunnel/index.js';
import type { ServedRelayRecord } from '../../protocol/nodetrust/index.js';
import { systemResolveHost, type ResolveHost } from './address_guard.js';
import { jsonLogger, type Logger } from './log.js';
import type { PairingStore } from './pairing_store.js';
import type { RelayCluster } from './relay_cluster.js';
import { DEFAULT_RATE_LIMITS, type RateLimitConfig } from './rate_limit_config.js';

/**
 * A TURN server (coturn with `use-auth-secret`) that the relay hands out credentials for at
 * `GET /ice-servers`.
 */
export interface TurnOptions {
  /** `turn:`/`turns:` URLs, e.g. `turn:turn.example:3478?transport=udp`. */
  urls: string[];
  /** coturn's `static-auth-secret` (at least 16 characters). */
  secret: string;
  /** How long handed-out credentials work, 60 s – 7 days (default one day). */
  ttlSeconds?: number;
  /**
   * `relay` (default): data channels go only through TURN, so a relying party never learns the
   * device's network addresses (and the other way round). `all`: direct paths are tried too.
   */
  policy?: IcePolicy;
}

/** What `createRelay` takes. Only `publicUrl` and `deviceLink` are required. */
export interface RelayOptions {
  /** How RPs and devices reach this relay, e.g. `https://relay.example` (no query or fragment). */
  publicUrl: string;
  /** Reaches a device by peer id (the WebRTC implementation lives in src/server/peer/). */
  deviceLink: DeviceLink;
  /** Where PeerJS signalling is mounted (default `/peerjs`; clients use this as their `path`). */
  peerjsPath?: string;
  /** How long a uid can be used, 30–3600 s (default 300). */
  uidLifetimeSeconds?: number;
  /** How long `GET /uid/<uid>/wait` holds a request, 1–60 s (default 25). */
  longPollSeconds?: number;
  /** Dev/test only: callbacks may be plain http and go to loopback addresses. */
  allowLoopbackCallbacks?: boolean;
  /** Test only: flip one byte of every tunnelled request body (e2e tests prove the device notices). */
  tamperForTests?: boolean;
  /** Express `trust proxy`: false (default), a hop count, or addresses/subnets (`loopback`, `10.0.0.0/8`). */
  trustProxy?: false | number | string;
  rateLimits?: Partial<RateLimitConfig>;
  /** The TURN server for data channels; without one `GET /ice-servers` lists none. */
  turn?: TurnOptions;
  /** Most PeerJS clients at once (default 5000). */
  maxPeers?: number;
  /**
   * Most PeerJS clients from one address (IPv4, IPv6 /56) at once (default 100: a NAT of many
   * devices fits, one attacker cannot take every slot of `maxPeers`).
   */
  maxPeersPerAddress?: number;
  /** Whole callback POST, connect to answer (default 5000 ms). */
  callbackTimeoutMs?: number;
  /** How long a tunnelled request may wait for the device (default 30000 ms). */
  tunnelTimeoutMs?: number;
  /** How long a tunnelled request's body may take to arrive (default 10000 ms; 408 beyond). */
  tunnelBodyTimeoutMs?: number;
  /** Tunnelled body bytes in flight from one address (default 16 MiB; 429 beyond). */
  tunnelBodyBytesPerAddress?: number;
  /** Tunnelled body bytes in flight on the whole relay (default 64 MiB; 503 beyond). */
  tunnelBodyBytes?: number;
  /**
   * Whether a device is there to take a tunnelled request, asked before its body is read
   * (default: it holds a signalling socket on this relay). Tests with a fake link say yes.
   */
  isDeviceOnline?: (peerId: string) => boolean | Promise<boolean>;
  /**
   * `redis://host:port` (DISCO_REDIS_URL): run as one process of a relay cluster (issue #14),
   * with pairings, rate limits, the peer directory and cross-process signalling in this Redis.
   * `startRelay` connects (`createRelay` takes the connected `cluster` instead). Unset: memory.
   */
  redisUrl?: string;
  /** Key and channel prefix in Redis (default `disco:`), so several clusters can share one. */
  redisPrefix?: string;
  /** The connected Redis parts (`openRelayCluster`), for `createRelay`; `startRelay` makes them. */
  cluster?: RelayCluster;
  /** Production refuses the dev/test switches and plain-http public URLs (default: NODE_ENV). */
  production?: boolean;
  store?: PairingStore;
  logger?: Logger;
  clock?: Clock;
  random?: Random;
  /** DNS for callback hosts: every address of a name (default `dns.lookup` with `all`). */
  resolveHost?: ResolveHost;
  /**
   * The relay's current signed discovery record (its nodetrust TLS front's), served at
   * `GET /.well-known/disco-relay`; without it, or while it gives null, that path answers 404.
   */
  discoveryRecord?: () => ServedRelayRecord | null;
}

export interface RelayConfig extends Required<
  Omit<
    RelayOptions,
    'store' | 'rateLimits' | 'turn' | 'isDeviceOnline' | 'redisUrl' | 'cluster' | 'discoveryRecord'
  >
> {
  readonly isDeviceOnline: ((peerId: string) => boolean | Promise<boolean>) | undefined;
  readonly redisUrl: string | undefined;
  readonly cluster: RelayCluster | undefined;
  readonly rateLimits: RateLimitConfig;
  readonly turn: Required<TurnOptions> | undefined;
  readonly store: PairingStore | undefined;
}

const MIB = 1024 * 1024;

function integer(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`relay config: ${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function publicUrlOf(value: string, production: boolean): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`relay config: publicUrl "${value}" is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TypeError('relay config: publicUrl must be http(s)');
  if (url.search || url.hash || url.username || url.password)
    throw new TypeError('relay config: publicUrl must have no query, fragment or credentials');
  if (production && url.protocol !== 'https:')
    throw new TypeError('relay config: publicUrl must be https in production');
  return url.href.replace(/\/+$/, '');
}

function trustProxyOf(value: false | number | string): false | number | string {
  if (value === false) return false;
  if (typeof value === 'number') return integer('trustProxy', value, 0, 10);
  if (/^(true|false)$/i.test(value.trim()) || value.trim() === '')
    throw new TypeError(
      'relay config: trustProxy must be a hop count or a list of proxy addresses, never "true" (anyone could then choose their own address and escape the rate limits)',
    );
  return value;
}

// RFC 7065 TURN URIs: scheme, host, optional port and transport.
function redisUrlOf(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError('relay config: redisUrl is not a URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new TypeError('relay config: redisUrl must be redis:// or rediss://');
  return value;
}

const TURN_URL = /^turns?:[A-Za-z0-9.\-[\]:]{1,253}(\?transport=(udp|tcp))?$/;

function turnOf(turn: TurnOptions | undefined): Required<TurnOptions> | undefined {
  if (!turn) return undefined;
  if (!Array.isArray(turn.urls) || turn.urls.length === 0 || turn.urls.length > 8)
    throw new TypeError('relay config: turn.urls must list one to eight TURN URLs');
  for (const url of turn.urls)
    if (typeof url !== 'string' || !TURN_URL.test(url))
      throw new TypeError(`relay config: turn.urls: "${String(url)}" is not a turn: URL`);
  if (typeof turn.secret !== 'string' || turn.secret.length < 16)
    throw new TypeError('relay config: turn.secret must be at least 16 characters');
  const policy = turn.policy ?? 'relay';
  if (policy !== 'relay' && policy !== 'all')
    throw new TypeError('relay config: turn.policy must be "relay" or "all"');
  return {
    urls: [...turn.urls],
    secret: turn.secret,
    ttlSeconds: integer('turn.ttlSeconds', turn.ttlSeconds ?? 86_400, 60, 7 * 86_400),
    policy,
  };
}

/** Fills in defaults and checks every option; throws TypeError / RangeError with the option's name. */
export function resolveRelayConfig(options: RelayOptions): RelayConfig {
  const production = options.production ?? process.env.NODE_ENV === 'production';
  if (production && options.allowLoopbackCallbacks)
    throw new TypeError('relay config: allowLoopbackCallbacks is for development and tests only');
  if (production && options.tamperForTests)
    throw new TypeError('relay config: tamperForTests is for tests only');
  const peerjsPath = options.peerjsPath ?? '/peerjs';
  if (
    !/^\/[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(peerjsPath) ||
    /^\/(p|uid|healthz|ice-servers)$/.test(peerjsPath)
  )
    throw new TypeError(`relay config: peerjsPath "${peerjsPath}" must be like /peerjs`);
  if (typeof options.deviceLink?.request !== 'function')
    throw new TypeError('relay config: deviceLink is required');
  const rateLimits = { ...DEFAULT_RATE_LIMITS, ...options.rateLimits };
  for (const [name, value] of Object.entries(rateLimits))
    integer(`rateLimits.${name}`, value, 1, name === 'windowMs' ? 86_400_000 : 1_000_000);
  return {
    publicUrl: publicUrlOf(options.publicUrl, production),
    deviceLink: options.deviceLink,
    peerjsPath,
    uidLifetimeSeconds: integer('uidLifetimeSeconds', options.uidLifetimeSeconds ?? 300, 30, 3600),
    longPollSeconds: integer('longPollSeconds', options.longPollSeconds ?? 25, 1, 60),
    allowLoopbackCallbacks: options.allowLoopbackCallbacks ?? false,
    tamperForTests: options.tamperForTests ?? false,
    trustProxy: trustProxyOf(options.trustProxy ?? false),
    rateLimits,
    turn: turnOf(options.turn),
    maxPeers: integer('maxPeers', options.maxPeers ?? 5000, 1, 1_000_000),
    maxPeersPerAddress: integer(
      'maxPeersPerAddress',
      options.maxPeersPerAddress ?? 100,
      1,
      1_000_000,
    ),
    callbackTimeoutMs: integer('callbackTimeoutMs', options.callbackTimeoutMs ?? 5000, 100, 30_000),
    tunnelTimeoutMs: integer('tunnelTimeoutMs', options.tunnelTimeoutMs ?? 30_000, 100, 300_000),
    tunnelBodyTimeoutMs: integer(
      'tunnelBodyTimeoutMs',
      options.tunnelBodyTimeoutMs ?? 10_000,
      100,
      300_000,
    ),
    tunnelBodyBytesPerAddress: integer(
      'tunnelBodyBytesPerAddress',
      options.tunnelBodyBytesPerAddress ?? 16 * MIB,
      64 * 1024,
      1024 * MIB,
    ),
    tunnelBodyBytes: integer(
      'tunnelBodyBytes',
      options.tunnelBodyBytes ?? 64 * MIB,
      64 * 1024,
      8192 * MIB,
    ),
    isDeviceOnline: options.isDeviceOnline,
    redisUrl: redisUrlOf(options.redisUrl),
    redisPrefix: options.redisPrefix ?? 'disco:',
    cluster: options.cluster,
    production,
    store: options.store,
    logger: options.logger ?? jsonLogger(),
    clock: options.clock ?? systemClock,
    random: options.random ?? systemRandom,
    resolveHost: options.resolveHost ?? systemResolveHost,
  };
}
