/** Lifetimes and limits of the authorization engine (docs/wire/engine.md). */
export const POLICY = {
  /** A signed client request is fresh for this long after its `iat`. */
  requestMaxAgeSeconds: 300,
  /** Tolerated clock difference with a client. */
  maxSkewSeconds: 60,
  /** A pending consent request waits this long for the person. */
  pendingTtlSeconds: 600,
  /** Polling interval the client is told (RFC 8628 §3.2 `interval`). */
  pollIntervalSeconds: 1,
  /**
   * Longest a poll with `wait` is held for the person's decision (long-poll). Told to clients as
   * `long_poll` when this device can hold polls. Shorter than every timeout on the way, so a
   * hold ends as a normal "pending" answer, never as a transport failure the SDK backs off
   * from: the page ↔ service worker bridge's 6 s of silence (src/app/lib/worker_engine.ts,
   * should a worker's "still working" be lost), the relay's tunnel (30 s) and the SDK's peer
   * link (30 s). A new poll costs one round trip every 5 s while the person thinks.
   */
  longPollSeconds: 5,
  /** Key A: the relying party may ask for key B until then (or until revoked). */
  keyALifetimeSeconds: 30 * 24 * 3600,
  /** Key B: one use, minutes not hours. */
  keyBLifetimeSeconds: 300,
  /** Client secrets are random strings at least this long (they are stored hashed). */
  minClientSecretLength: 32,
} as const;

/** Scope values that are not vault fields but capabilities. */
export const KEY_B_SCOPE = 'key_b';
