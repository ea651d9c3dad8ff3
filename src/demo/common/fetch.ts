/** How long a plain request may take, and a long-poll (the relay holds those for a while). */
export const REQUEST_TIMEOUT_MS = 15_000;
export const LONG_POLL_TIMEOUT_MS = 60_000;

/**
 * `fetch` that never waits forever: a request without a signal gets a short timeout, one with a
 * signal (the SDK's long-polls and device calls) also ends after a minute. The SDK turns a
 * timed-out fetch into `ERR_TRANSPORT_FAILED`.
 */
export function timedFetch(base: typeof fetch = fetch): typeof fetch {
  return (input, init) => {
    const signal = init?.signal
      ? AbortSignal.any([init.signal, AbortSignal.timeout(LONG_POLL_TIMEOUT_MS)])
      : AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    return base(input, { ...init, signal });
  };
}

/** The caller's signal, ended also after `ms`. */
export function withTimeout(signal: AbortSignal | undefined, ms = REQUEST_TIMEOUT_MS): AbortSignal {
  return signal ? AbortSignal.any([signal, AbortSignal.timeout(ms)]) : AbortSignal.timeout(ms);
}
