import { createHash, randomBytes } from 'node:crypto';
import {
  connectAll,
  orUnavailable,
  redisConnection,
  type RedisConnection,
} from './redis_connection.js';

/** A PeerJS message as the signalling server delivers it (src set by the server). */
export interface RoutedMessage {
  readonly type: string;
  readonly src: string;
  readonly dst: string;
  readonly payload?: unknown;
}

/** What relay processes tell each other on their channels. */
export type BusMessage =
  | { readonly kind: 'signal'; readonly message: RoutedMessage }
  /** Another process holds `id` now: close the socket that held it here. */
  | { readonly kind: 'takeover'; readonly id: string }
  /**
   * Sent to every process when a peer connects anywhere: a device that connected again has a
   * new PeerJS peer, so data connections other processes' links hold to it are stale.
   */
  | { readonly kind: 'connected'; readonly id: string; readonly processId: string };

/** How long a directory entry lives without a refresh (a killed process's entries go then). */
export const DIRECTORY_TTL_MS = 15_000;

/**
 * Claims `id` for this process (value `<process> <token hash> <nonce>`). Another token's
 * claim on a non-device id that is held is refused ('taken'), as npm `peer` refuses ID-TAKEN in
 * one process; a device id goes to whoever proved its key (the handshake checked the token).
 * KEYS[1]; ARGV: value, device '1'/'0', ttl ms. Returns { 'taken' | 'ok', old value or '' }.
 */
const CLAIM = `
local old = redis.call('GET', KEYS[1])
if old and ARGV[2] == '0' then
  local function hash(v) local a = string.find(v, ' ', 1, true); local b = string.find(v, ' ', a + 1, true); return string.sub(v, a + 1, b - 1) end
  if hash(old) ~= hash(ARGV[1]) then return { 'taken', old } end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return { 'ok', old or '' }
`;
/** Deletes KEYS[1] only if it still holds ARGV[1] (a newer claim is left alone). */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`;
/**
 * Extends every entry this process still holds, and writes back those Redis lost (a restart
 * without persistence). Returns the indexes of the entries another process holds now.
 * KEYS: entries; ARGV[1] ttl, ARGV[i + 1] the value of KEYS[i].
 */
const REFRESH = `
local lost = {}
for i, key in ipairs(KEYS) do
  local v = redis.call('GET', key)
  if not v or v == ARGV[i + 1] then redis.call('SET', key, ARGV[i + 1], 'PX', ARGV[1])
  else table.insert(lost, i) end
end
return lost
`;

export interface PeerDirectoryOptions {
  /** `redis://host:port` (DISCO_REDIS_URL). */
  readonly url: string;
  /** Key and channel prefix (the relay's, `disco:` by default). */
  readonly prefix: string;
  /** Default DIRECTORY_TTL_MS; refreshed every third of it. */
  readonly ttlMs?: number;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');

/**
 * The relay cluster's directory of peers (issue #14): which process holds which peer id's
 * signalling socket (a Redis key per id, under a TTL refreshed while the socket is open, so a
 * killed process's entries lapse), one pub/sub channel per process for the PeerJS messages and
 * takeovers it must deliver, and the cluster-wide set of spent device tokens.
 */
export class PeerDirectory {
  /** This process's name in the directory (random per start). */
  readonly processId = `p-${randomBytes(8).toString('hex')}`;
  readonly #client: RedisConnection;
  readonly #subscriber: RedisConnection;
  readonly #prefix: string;
  readonly #ttlMs: number;
  /** Entries this process holds: id → value. */
  readonly #held = new Map<string, string>();
  readonly #handlers = new Set<(message: BusMessage) => void>();
  readonly #timer: NodeJS.Timeout;

  private constructor(
    client: RedisConnection,
    subscriber: RedisConnection,
    o: PeerDirectoryOptions,
  ) {
    this.#client = client;
    this.#subscriber = subscriber;
    this.#prefix = o.prefix;
    this.#ttlMs = o.ttlMs ?? DIRECTORY_TTL_MS;
    this.#timer = setInterval(() => void this.#refresh(), this.#ttlMs / 3);
    this.#timer.unref();
  }

  /** Connects, and subscribes to this process's channel. ERR_RELAY_STORE_UNAVAILABLE if it cannot. */
  static async open(o: PeerDirectoryOptions): Promise<PeerDirectory> {
    const client = redisConnection(o.url);
    const subscriber = redisConnection(o.url);
    await connectAll([client, subscriber]);
    const directory = new PeerDirectory(client, subscriber, o);
    // node-redis subscribes again by itself after a reconnect
    await orUnavailable(() =>
      subscriber.subscribe([directory.#channel(directory.processId), directory.#everyone], (raw) =>
        directory.#receive(raw),
      ),
    );
    return directory;
  }

  /** The command connection, shared with the other Redis parts of the relay (rate limits). */
  get client(): RedisConnection {
    return this.#client;
  }

  #key(id: string): string {
    return `${this.#prefix}peer:${id}`;
  }

  get #everyone(): string {
    return `${this.#prefix}everyone`;
  }

  #channel(processId: string): string {
    return `${this.#prefix}proc:${processId}`;
  }

  /**
   * Claims `id` for a socket being admitted with `token`; the process that held it is told to
   * close its socket. Resolves with the claim's value (give it to `hold` and `release`), or null
   * when a non-device id is held with another token.
   */
  async claim(id: string, token: string, device: boolean): Promise<string | null> {
    const value = `${this.processId} ${sha256(token)} ${randomBytes(6).toString('hex')}`;
    const [status, old] = (await orUnavailable(() =>
      this.#client.eval(CLAIM, {
        keys: [this.#key(id)],
        arguments: [value, device ? '1' : '0', String(this.#ttlMs)],
      }),
    )) as [string, string];
    if (status === 'taken') return null;
    const owner = old.split(' ')[0];
    if (owner && owner !== this.processId)
      await this.send(owner, { kind: 'takeover', id }).catch(() => undefined);
    if (device)
      await orUnavailable(() =>
        this.#client.publish(
          this.#everyone,
          JSON.stringify({ kind: 'connected', id, processId: this.processId }),
        ),
      ).catch(() => undefined);
    return value;
  }

  /** The socket of a claim is open: keep its entry alive. */
  hold(id: string, value: string): void {
    this.#held.set(id, value);
  }

  /** The socket of a claim closed: forget the entry, unless a newer claim replaced it. */
  async release(id: string, value: string): Promise<void> {
    if (this.#held.get(id) === value) this.#held.delete(id);
    await orUnavailable(() =>
      this.#client.eval(RELEASE, { keys: [this.#key(id)], arguments: [value] }),
    );
  }

  /** The process that holds `id`, or null. */
  async locate(id: string): Promise<string | null> {
    const value = await orUnavailable(() => this.#client.get(this.#key(id)));
    return value?.split(' ')[0] || null;
  }

  /** True the first time `token` is presented anywhere in the cluster (within `ttlMs`). */
  async spend(token: string, ttlMs: number): Promise<boolean> {
    const ok = await orUnavailable(() =>
      this.#client.set(`${this.#prefix}spent:${sha256(token)}`, '1', {
        condition: 'NX',
        expiration: { type: 'PX', value: Math.max(1, Math.ceil(ttlMs)) },
      }),
    );
    return ok === 'OK';
  }

  /** Publishes `message` on `processId`'s channel. */
  async send(processId: string, message: BusMessage): Promise<void> {
    await orUnavailable(() =>
      this.#client.publish(this.#channel(processId), JSON.stringify(message)),
    );
  }

  /** Called with every message sent to this process (and with a takeover the refresh finds). */
  onMessage(handler: (message: BusMessage) => void): void {
    this.#handlers.add(handler);
  }

  /** Stops refreshing and deletes this process's entries, so no one routes to it any more. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all(
      [...this.#held].map(([id, value]) => this.release(id, value).catch(() => undefined)),
    );
    this.#client.destroy();
    this.#subscriber.destroy();
  }

  #receive(raw: string): void {
    let message: BusMessage;
    try {
      message = JSON.parse(raw) as BusMessage;
    } catch {
      return;
    }
    for (const handler of this.#handlers) handler(message);
  }

  async #refresh(): Promise<void> {
    const held = [...this.#held];
    if (held.length === 0) return;
    try {
      for (let i = 0; i < held.length; i += 500) {
        const batch = held.slice(i, i + 500);
        const lost = (await this.#client.eval(REFRESH, {
          keys: batch.map(([id]) => this.#key(id)),
          arguments: [String(this.#ttlMs), ...batch.map(([, value]) => value)],
        })) as number[];
        // a takeover message can be lost (pub/sub does not queue): the refresh sees it too
        for (const index of lost) {
          const [id, value] = batch[index - 1]!;
          if (this.#held.get(id) !== value) continue;
          this.#held.delete(id);
          for (const handler of this.#handlers) handler({ kind: 'takeover', id });
        }
      }
    } catch {
      // Redis is down: the next refresh writes the entries back
    }
  }
}
