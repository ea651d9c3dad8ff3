import type { JWK } from 'jose';

/** What the relay learns about the device that took a uid, and tells the relying party. */
export interface PairedDevice {
  readonly uid: string;
  readonly device_id: string;
  readonly peer_id: string;
  readonly public_key: JWK;
  readonly proxy_url: string;
  /** A certified device's nodetrust chain and transcript signature (docs/wire/relay.md). */
  readonly certificate_chain?: readonly string[];
  readonly certificate_signature?: string;
}

/**
 * One pairing, from `GET /uid` until it expires. Every field is plain JSON, so a Redis
 * implementation can keep it as one value under a TTL key.
 */
export interface PairingRecord {
  /** Canonical uid (8 characters, no hyphen). */
  readonly uid: string;
  /** The relying party's certificate (PEM), handed to the device. */
  readonly certificatePem: string;
  /** Its `x5t#S256`. */
  readonly thumbprint: string;
  /** 32 random bytes, base64url: sealed to the RP, given plain to the device. */
  readonly challenge: string;
  /** Where to POST the device, or null (the RP long-polls). */
  readonly callback: string | null;
  /** The long-poll secret given to the RP (also sent with the callback so the RP can check it). */
  readonly waitToken: string;
  readonly createdAt: number;
  /** Milliseconds since the epoch; the record is gone after this. */
  readonly expiresAt: number;
  /** Set once, by the first device that presents the uid. */
  readonly device: PairedDevice | null;
}

export type PairOutcome =
  | { readonly ok: true; readonly record: PairingRecord }
  | { readonly ok: false; readonly reason: 'unknown' | 'used' };

/**
 * Pairing state. The memory implementation serves one process; a Redis one (TTL keys, a Lua
 * script or WATCH for `pair`, pub/sub for `waitForDevice`) serves several.
 */
export interface PairingStore {
  /** Stores a new record; false when the uid exists already (the caller draws another). */
  create(record: PairingRecord): Promise<boolean>;
  /** The live record, or undefined when unknown or expired. */
  get(uid: string): Promise<PairingRecord | undefined>;
  /**
   * Atomically sets `device` on a live record that has none. Exactly one caller wins a uid; the
   * record then lives at least `keepMs` longer so the RP can still collect the device.
   */
  pair(uid: string, device: PairedDevice, keepMs: number): Promise<PairOutcome>;
  /**
   * Resolves with the device as soon as the uid is paired (at once if it is already), or with
   * null when `signal` aborts, the record expires or the store closes.
   */
  waitForDevice(uid: string, signal: AbortSignal): Promise<PairedDevice | null>;
  /** Live records (for health and limits). */
  size(): Promise<number>;
  /** Releases every waiter (with null) and timers. */
  close(): Promise<void>;
}
