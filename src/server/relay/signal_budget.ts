import { createHash } from 'node:crypto';

/**
 * Bounds for the signalling server, which npm `peer` does not have (issue #12.11, #12.13):
 * messages queued for ids that are not connected, OFFERs from one address to one peer, and
 * device peer tokens already used. Hand-written because they sit between `ws` and `peer`,
 * where no rate-limit library reaches; each is a map swept as it is used.
 */

/** How long npm `peer` keeps a queue for an offline id: `expire_timeout` + one `cleanup_out_msgs`. */
export const QUEUE_EXPIRE_MS = 5_000;
export const QUEUE_CLEANUP_MS = 1_000;

export interface OfflineQueueLimits {
  /** Messages queued for one offline id (an OFFER and its candidates need a handful). */
  readonly perDestination: number;
  /** Bytes queued from one client address, for every offline id together. */
  readonly bytesPerAddress: number;
  /** Bytes queued on the whole relay. */
  readonly bytes: number;
}

export const DEFAULT_OFFLINE_QUEUE: OfflineQueueLimits = {
  perDestination: 16,
  bytesPerAddress: 256 * 1024,
  bytes: 2 * 1024 * 1024,
};

interface Queued {
  readonly since: number;
  readonly items: { readonly address: string; readonly bytes: number }[];
}

/**
 * Accounts for what npm `peer` queues for offline ids, so that the relay can refuse a message
 * before `peer` queues it. `peer` drops a queue when its id connects (delivered) or once it is
 * `expire_timeout` old (swept every `cleanup_out_msgs`); this budget forgets it then too
 * (`delivered`, or after QUEUE_EXPIRE_MS + QUEUE_CLEANUP_MS).
 */
export class OfflineQueueBudget {
  readonly #queues = new Map<string, Queued>();
  readonly #byAddress = new Map<string, number>();
  #bytes = 0;
  #sweptAt = 0;

  constructor(
    private readonly limits: OfflineQueueLimits,
    private readonly now: () => number,
  ) {}

  /** Bytes accounted now (for tests and /healthz-like checks). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Takes `bytes` for a message from `address` to the offline `dst`; false when over a bound. */
  take(dst: string, address: string, bytes: number): boolean {
    this.#sweep();
    const queue = this.#queues.get(dst);
    if (queue && queue.items.length >= this.limits.perDestination) return false;
    if (this.#bytes + bytes > this.limits.bytes) return false;
    const fromAddress = this.#byAddress.get(address) ?? 0;
    if (fromAddress + bytes > this.limits.bytesPerAddress) return false;
    const entry = queue ?? { since: this.now(), items: [] };
    entry.items.push({ address, bytes });
    this.#queues.set(dst, entry);
    this.#byAddress.set(address, fromAddress + bytes);
    this.#bytes += bytes;
    return true;
  }

  /** `dst` connected: `peer` delivered (and dropped) its queue. */
  delivered(dst: string): void {
    const queue = this.#queues.get(dst);
    if (!queue) return;
    this.#queues.delete(dst);
    for (const { address, bytes } of queue.items) {
      const left = (this.#byAddress.get(address) ?? 0) - bytes;
      if (left > 0) this.#byAddress.set(address, left);
      else this.#byAddress.delete(address);
      this.#bytes -= bytes;
    }
  }

  #sweep(): void {
    const now = this.now();
    if (now - this.#sweptAt < QUEUE_CLEANUP_MS) return;
    this.#sweptAt = now;
    for (const [dst, queue] of this.#queues)
      if (now - queue.since >= QUEUE_EXPIRE_MS + QUEUE_CLEANUP_MS) this.delivered(dst);
  }
}

/** Counts events per key in fixed windows: `hit` is false once a key had `limit` in its window. */
export class WindowCounter {
  readonly #counts = new Map<string, { count: number; until: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  hit(key: string): boolean {
    const now = this.now();
    if (this.#counts.size > 10_000)
      for (const [k, v] of this.#counts) if (v.until <= now) this.#counts.delete(k);
    const entry = this.#counts.get(key);
    if (!entry || entry.until <= now) {
      this.#counts.set(key, { count: 1, until: now + this.windowMs });
      return true;
    }
    entry.count++;
    return entry.count <= this.limit;
  }
}

/** Most spent tokens remembered; beyond, the oldest are forgotten first (see `SpentTokens`). */
const MAX_SPENT = 100_000;

/**
 * Device peer tokens already used to open a signalling socket: each opens one socket, once, so a
 * token read from a proxy's log (PeerJS puts it in the URL) or replayed cannot take over a live
 * device (issue #12.13). Remembered until the token is too old to verify anyway; tokens made
 * before this relay started (minus the clock skew the token check allows) are refused as
 * well, since a restarted relay has forgotten what was spent. Bounded: past MAX_SPENT tokens,
 * the oldest are forgotten (a replay then needs a stolen token and that flood together).
 */
export class SpentTokens {
  readonly #spent = new Map<string, number>();

  constructor(
    private readonly startedAtMs: number,
    private readonly maxAgeMs: number,
    private readonly skewMs: number,
  ) {}

  /** Spends `token` (issued at `iatMs`); false when it was spent or predates this relay. */
  spend(token: string, iatMs: number, nowMs: number): boolean {
    if (iatMs < this.startedAtMs - this.skewMs) return false;
    const key = createHash('sha256').update(token).digest('base64url');
    for (const [k, until] of this.#spent) {
      if (until > nowMs && this.#spent.size < MAX_SPENT) break;
      this.#spent.delete(k);
    }
    if (this.#spent.has(key)) return false;
    this.#spent.set(key, iatMs + this.maxAgeMs + this.skewMs);
    return true;
  }
}
