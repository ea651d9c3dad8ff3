import type { Clock } from '../../protocol/encoding/index.js';
import {
  connectAll,
  orUnavailable,
  redisConnection,
  type RedisConnection,
} from './redis_connection.js';
import type { PairedDevice, PairingRecord, PairingStore, PairOutcome } from './pairing_store.js';

type Waiter = (device: PairedDevice | null) => void;
type Client = RedisConnection;

/**
 * `pair` as one Lua script, so Redis runs it atomically: the first device wins a live uid, the
 * record lives on at least `keepMs`, and every relay process hears of it on the channel.
 * KEYS[1] the record; ARGV: device JSON, now, keepMs, channel.
 */
const PAIR = `
local v = redis.call('GET', KEYS[1])
if not v then return 'unknown' end
local r = cjson.decode(v)
if r.device ~= cjson.null then return 'used' end
r.device = cjson.decode(ARGV[1])
local keep = tonumber(ARGV[2]) + tonumber(ARGV[3])
if keep > r.expiresAt then r.expiresAt = keep end
local out = cjson.encode(r)
redis.call('SET', KEYS[1], out, 'PXAT', r.expiresAt)
redis.call('PUBLISH', ARGV[4], cjson.encode({ uid = r.uid, device = r.device }))
return out
`;

export interface RedisPairingStoreOptions {
  /** `redis://host:port` (DISCO_REDIS_URL). */
  url: string;
  clock: Clock;
  /** Key and channel prefix, so several relays (or tests) can share one Redis. */
  prefix?: string;
}

/**
 * Pairing state in Redis, shared by every relay process (issue #14): one JSON value per uid
 * under a TTL (`PXAT` the record's expiry: Redis does the forgetting), `SET NX` for one-time
 * `create`, a Lua script for `pair`, and one pub/sub channel that wakes `waitForDevice` on any
 * process (no polling). While Redis is down every call fails at once with
 * ERR_RELAY_STORE_UNAVAILABLE (503; commands are not queued), and the client reconnects by itself.
 */
export class RedisPairingStore implements PairingStore {
  readonly #client: Client;
  readonly #subscriber: Client;
  readonly #clock: Clock;
  readonly #prefix: string;
  readonly #channel: string;
  readonly #waiters = new Map<string, Set<Waiter>>();
  #subscribed: Promise<void> | undefined;
  #closed = false;

  private constructor(client: Client, subscriber: Client, opts: RedisPairingStoreOptions) {
    this.#client = client;
    this.#subscriber = subscriber;
    this.#clock = opts.clock;
    this.#prefix = opts.prefix ?? 'disco:';
    this.#channel = `${this.#prefix}paired`;
  }

  /** Connects (two connections: commands, and the pub/sub subscription). */
  static async open(opts: RedisPairingStoreOptions): Promise<RedisPairingStore> {
    const client = redisConnection(opts.url);
    const subscriber = redisConnection(opts.url);
    await connectAll([client, subscriber]);
    return new RedisPairingStore(client, subscriber, opts);
  }

  #key(uid: string): string {
    return `${this.#prefix}pairing:${uid}`;
  }

  #do<T>(op: () => Promise<T>): Promise<T> {
    return orUnavailable(op);
  }

  create(record: PairingRecord): Promise<boolean> {
    return this.#do(async () => {
      const ok = await this.#client.set(this.#key(record.uid), JSON.stringify(record), {
        condition: 'NX',
        expiration: { type: 'PXAT', value: record.expiresAt },
      });
      return ok === 'OK';
    });
  }

  get(uid: string): Promise<PairingRecord | undefined> {
    return this.#do(async () => {
      const value = await this.#client.get(this.#key(uid));
      return value === null ? undefined : this.#live(value);
    });
  }

  pair(uid: string, device: PairedDevice, keepMs: number): Promise<PairOutcome> {
    return this.#do(async () => {
      const out = await this.#client.eval(PAIR, {
        keys: [this.#key(uid)],
        arguments: [
          JSON.stringify(device),
          String(this.#clock.now()),
          String(keepMs),
          this.#channel,
        ],
      });
      if (out === 'unknown' || out === 'used') return { ok: false, reason: out };
      const record = typeof out === 'string' ? this.#live(out) : undefined;
      return record ? { ok: true, record } : { ok: false, reason: 'unknown' };
    });
  }

  async waitForDevice(uid: string, signal: AbortSignal): Promise<PairedDevice | null> {
    if (this.#closed || signal.aborted) return null;
    // Subscribed before reading, so a pairing between the two is not missed.
    await this.#do(() => (this.#subscribed ??= this.#subscribe()));
    const record = await this.get(uid);
    if (!record || signal.aborted) return null;
    if (record.device) return record.device;
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(uid) ?? new Set<Waiter>();
      this.#waiters.set(uid, waiters);
      const onAbort = () => waiter(null);
      const timer = setTimeout(
        () => waiter(null),
        Math.max(0, record.expiresAt - this.#clock.now()),
      );
      const waiter: Waiter = (device) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        waiters.delete(waiter);
        if (waiters.size === 0 && this.#waiters.get(uid) === waiters) this.#waiters.delete(uid);
        resolve(device);
      };
      waiters.add(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  size(): Promise<number> {
    return this.#do(async () => {
      let n = 0;
      for await (const keys of this.#client.scanIterator({
        MATCH: `${this.#prefix}pairing:*`,
        COUNT: 1000,
      }))
        n += keys.length;
      return n;
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const uid of [...this.#waiters.keys()]) this.#release(uid, null);
    this.#client.destroy();
    this.#subscriber.destroy();
    await Promise.resolve();
  }

  #subscribe(): Promise<void> {
    return this.#subscriber
      .subscribe(this.#channel, (message) => {
        let event: { uid?: unknown; device?: unknown };
        try {
          event = JSON.parse(message) as typeof event;
        } catch {
          return;
        }
        if (typeof event.uid === 'string' && typeof event.device === 'object' && event.device)
          this.#release(event.uid, event.device as PairedDevice);
      })
      .catch((err: unknown) => {
        this.#subscribed = undefined;
        throw err;
      });
  }

  /** The record if it is still live by our clock (Redis's TTL is the backstop). */
  #live(value: string): PairingRecord | undefined {
    let record: PairingRecord;
    try {
      record = JSON.parse(value) as PairingRecord;
    } catch {
      return undefined;
    }
    return record.expiresAt > this.#clock.now() ? record : undefined;
  }

  #release(uid: string, device: PairedDevice | null): void {
    for (const waiter of [...(this.#waiters.get(uid) ?? [])]) waiter(device);
  }
}
