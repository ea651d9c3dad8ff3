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
   * Longest a poll with `wait` is held for the person's decision (long-poll; the tunnel gives a
   * request 30 s). Told to clients as `long_poll` when this device can hold polls.
   */
  longPollSeconds: 20,
  /** Key A: the relying party may ask for key B until then (or until revoked). */
  keyALifetimeSeconds: 30 * 24 * 3600,
  /** Key B: one use, minutes not hours. */
  keyBLifetimeSeconds: 300,
  /** Client secrets are random strings at least this long (they are stored hashed). */
  minClientSecretLength: 32,
} as const;

/** Scope values that are not vault fields but capabilities. */
export const KEY_B_SCOPE = 'key_b';
