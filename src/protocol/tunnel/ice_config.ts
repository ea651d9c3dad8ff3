import { DiscoError } from '../errors/index.js';

/**
 * The relay's `GET /ice-servers` answer (docs/wire/relay.md): the STUN/TURN servers both ends of
 * a data channel use, with short-lived TURN credentials, and whether only relayed candidates are
 * allowed. Devices and the SDK ask for it before each new peer; nothing else is trusted for ICE
 * (PeerJS's own defaults point at public servers).
 */
/** WebRTC's RTCIceServer, as this module writes it (`urls` always a list). */
export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/** WebRTC's RTCIceTransportPolicy. */
export type IcePolicy = 'relay' | 'all';

export interface IceConfig {
  readonly iceServers: IceServer[];
  readonly iceTransportPolicy: IcePolicy;
  /** When the TURN credentials stop working (ms since the epoch); ask again before then. */
  readonly expiresAt: number;
}

/** The wire form: snake_case at the top, RTCIceServer members as WebRTC names them. */
export interface IceConfigWire {
  ice_servers: IceServer[];
  ice_transport_policy: IcePolicy;
  /** Unix seconds. */
  expires_at: number;
}

export const MAX_ICE_SERVERS = 8;
/** Largest `/ice-servers` body read: eight servers of eight URLs and two 512-character fields fit. */
export const MAX_ICE_CONFIG_BYTES = 64 * 1024;
const MAX_URLS = 8;
const MAX_FIELD = 512;
// RFC 7064/7065 URIs: scheme, host, optional port and transport; nothing else.
const ICE_URL = /^(stuns?|turns?):[A-Za-z0-9.\-[\]:]{1,253}(\?transport=(udp|tcp))?$/;

const bad = (why: string) =>
  new DiscoError('ERR_TRANSPORT_FAILED', `The relay's ICE configuration is malformed: ${why}.`);

function text(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_FIELD)
    throw bad(`${name} is not a short string`);
  return value;
}

/**
 * Checks a `/ice-servers` body (already JSON-parsed) and returns it in WebRTC's shape.
 * ERR_TRANSPORT_FAILED for anything malformed, unknown policies, non-STUN/TURN URLs, TURN
 * servers without credentials, or credentials already expired at `nowMs`.
 */
export function parseIceConfig(body: unknown, nowMs: number): IceConfig {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw bad('not an object');
  const o = body as Record<string, unknown>;
  const policy = o.ice_transport_policy;
  if (policy !== 'relay' && policy !== 'all') throw bad('unknown ice_transport_policy');
  if (typeof o.expires_at !== 'number' || !Number.isSafeInteger(o.expires_at))
    throw bad('expires_at is not a whole number');
  const expiresAt = o.expires_at * 1000;
  if (expiresAt <= nowMs) throw bad('the credentials have expired');
  if (!Array.isArray(o.ice_servers) || o.ice_servers.length > MAX_ICE_SERVERS)
    throw bad('ice_servers is not a short list');
  const iceServers = o.ice_servers.map((entry: unknown, i): IceServer => {
    if (!entry || typeof entry !== 'object') throw bad(`ice_servers[${i}] is not an object`);
    const s = entry as Record<string, unknown>;
    if (!Array.isArray(s.urls) || s.urls.length === 0 || s.urls.length > MAX_URLS)
      throw bad(`ice_servers[${i}].urls is not a short list`);
    const urls = s.urls.map((u) => {
      if (typeof u !== 'string' || !ICE_URL.test(u))
        throw bad(`"${String(u)}" is not a STUN/TURN URL`);
      return u;
    });
    const turn = urls.some((u) => u.startsWith('turn'));
    if (!turn) return { urls };
    return {
      urls,
      username: text(s.username, `ice_servers[${i}].username`),
      credential: text(s.credential, `ice_servers[${i}].credential`),
    };
  });
  if (policy === 'relay' && !iceServers.some((s) => s.urls.some((u) => u.startsWith('turn'))))
    throw bad('relay-only without a TURN server');
  return { iceServers, iceTransportPolicy: policy, expiresAt };
}

/** The wire form of `config` (for the relay). */
export function iceConfigToWire(config: IceConfig): IceConfigWire {
  return {
    ice_servers: config.iceServers.map((s) => ({
      urls: [...s.urls],
      ...(s.username === undefined ? {} : { username: s.username }),
      ...(s.credential === undefined ? {} : { credential: s.credential }),
    })),
    ice_transport_policy: config.iceTransportPolicy,
    expires_at: Math.floor(config.expiresAt / 1000),
  };
}

/**
 * Fetches and checks the relay's ICE configuration; `fetchImpl` is the environment's `fetch`.
 * ERR_TRANSPORT_FAILED when the relay cannot be reached or answers anything else, a body over
 * MAX_ICE_CONFIG_BYTES included.
 */
export async function fetchIceConfig(
  relayUrl: string,
  fetchImpl: typeof fetch,
  nowMs: () => number,
): Promise<IceConfig> {
  let res: Response;
  try {
    res = await fetchImpl(`${relayUrl.replace(/\/+$/, '')}/ice-servers`, {
      headers: { accept: 'application/json' },
      cache: 'no-store',
    });
  } catch (cause) {
    throw new DiscoError('ERR_TRANSPORT_FAILED', 'The relay cannot be reached.', { cause });
  }
  if (!res.ok)
    throw new DiscoError(
      'ERR_TRANSPORT_FAILED',
      `The relay answered ${res.status} for its ICE servers.`,
    );
  // The size is checked before the body is parsed (and, when the relay says it, before it is read).
  if (Number(res.headers.get('content-length') ?? 0) > MAX_ICE_CONFIG_BYTES) throw bad('too large');
  let body: unknown;
  try {
    const text = await res.text();
    if (text.length > MAX_ICE_CONFIG_BYTES) throw new Error('too large');
    body = JSON.parse(text);
  } catch {
    throw bad('not JSON of at most 64 KiB');
  }
  return parseIceConfig(body, nowMs());
}
