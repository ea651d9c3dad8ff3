import type { Clock } from '../../protocol/encoding/index.js';
import { DiscoError } from '../../protocol/errors/index.js';
import type { PairedDevice, PairingRecord, PairingStore, PairOutcome } from './pairing_store.js';

type Waiter = (device: PairedDevice | null) => void;

/**
 * Pairing state in this process's memory: records expire by the clock (checked on every read,
 * and swept every `sweepMs` so memory stays bounded), at most `maxRecords` live at once.
 * Single-threaded JavaScript makes `pair` atomic.
 */
export class MemoryPairingStore implements PairingStore {
  readonly #records = new Map<string, PairingRecord>();
  readonly #waiters = new Map<string, Set<Waiter>>();
  readonly #clock: Clock;
  readonly #maxRecords: number;
  readonly #sweep: NodeJS.Timeout;

  constructor(opts: { clock: Clock; maxRecords?: number; sweepMs?: number }) {
    this.#clock = opts.clock;
    this.#maxRecords = opts.maxRecords ?? 100_000;
    this.#sweep = setInterval(() => this.#removeExpired(), opts.sweepMs ?? 30_000);
    this.#sweep.unref();
  }

  create(record: PairingRecord): Promise<boolean> {
    if (this.#live(record.uid)) return Promise.resolve(false);
    if (this.#records.size >= this.#maxRecords) this.#removeExpired();
    if (this.#records.size >= this.#maxRecords) {
      return Promise.reject(
        new DiscoError('ERR_RELAY_BUSY', 'The relay holds too many pairings; try again.'),
      );
    }
    this.#records.set(record.uid, record);
    return Promise.resolve(true);
  }

  get(uid: string): Promise<PairingRecord | undefined> {
    return Promise.resolve(this.#live(uid));
  }

  pair(uid: string, device: PairedDevice, keepMs: number): Promise<PairOutcome> {
    const record = this.#live(uid);
    if (!record) return Promise.resolve({ ok: false, reason: 'unknown' });
    if (record.device) return Promise.resolve({ ok: false, reason: 'used' });
    const expiresAt = Math.max(record.expiresAt, this.#clock.now() + keepMs);
    const paired: PairingRecord = { ...record, device, expiresAt };
    this.#records.set(uid, paired);
    this.#release(uid, device);
    return Promise.resolve({ ok: true, record: paired });
  }

  waitForDevice(uid: string, signal: AbortSignal): Promise<PairedDevice | null> {
    const record = this.#live(uid);
    if (!record || signal.aborted) return Promise.resolve(null);
    if (record.device) return Promise.resolve(record.device);
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(uid) ?? new Set<Waiter>();
      this.#waiters.set(uid, waiters);
      const onAbort = () => waiter(null);
      const waiter: Waiter = (device) => {
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
    this.#removeExpired();
    return Promise.resolve(this.#records.size);
  }

  close(): Promise<void> {
    clearInterval(this.#sweep);
    for (const uid of [...this.#waiters.keys()]) this.#release(uid, null);
    this.#records.clear();
    return Promise.resolve();
  }

  #live(uid: string): PairingRecord | undefined {
    const record = this.#records.get(uid);
    if (record && record.expiresAt <= this.#clock.now()) {
      this.#records.delete(uid);
      this.#release(uid, null);
      return undefined;
    }
    return record;
  }

  #release(uid: string, device: PairedDevice | null): void {
    for (const waiter of [...(this.#waiters.get(uid) ?? [])]) waiter(device);
  }

  #removeExpired(): void {
    for (const uid of [...this.#records.keys()]) this.#live(uid);
  }
}
