/**
 * Tells a waiting poll that the person decided (issue #16: the answer reaches the company within
 * a round trip of the click, not at its next poll). `decide` calls `decided(id)` in whatever
 * JavaScript context the person clicked in; `publish` carries it to the others (the device app
 * posts it on a BroadcastChannel, which the service worker, where polls are answered, passes to
 * `receive`). A poll that sent `wait` holds on `wait(id, ms)` (long-poll, poll.ts).
 */
export interface DecisionSignal {
  /**
   * Resolves when `id` is decided (or withdrawn) here or elsewhere, after `ms`, or when `signal`
   * aborts, whichever comes first. Subscribe first, then read the store: a decision that lands
   * between a read and the subscription would wake nobody (poll.ts).
   */
  wait(id: string, ms: number, signal?: AbortSignal): Promise<void>;
  /** The person decided `id` in this context. */
  decided(id: string): void;
  /** `id` was decided in another context. */
  receive(id: string): void;
  /** Whether a poll may be held now (`long_poll`); false for a while after `release`. */
  holding(): boolean;
  /**
   * Wakes every held poll (each answers "pending" at once) and holds none for `ms`. A service
   * worker on its way out calls it: an update takes over only once the old worker has nothing in
   * flight, and two companies whose holds overlap would keep it busy for as long as they wait.
   */
  release(ms: number): void;
}

export function createDecisionSignal(publish?: (id: string) => void): DecisionSignal {
  const waiters = new Map<string, Set<() => void>>();
  const wake = (id: string) => {
    for (const w of [...(waiters.get(id) ?? [])]) w();
  };
  let released: ReturnType<typeof setTimeout> | undefined;
  return {
    wait: (id, ms, signal) =>
      new Promise<void>((resolve) => {
        const set = waiters.get(id) ?? new Set<() => void>();
        waiters.set(id, set);
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          set.delete(done);
          if (set.size === 0 && waiters.get(id) === set) waiters.delete(id);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, ms));
        set.add(done);
        if (signal?.aborted) done();
        else signal?.addEventListener('abort', done, { once: true });
      }),
    decided: (id) => {
      wake(id);
      publish?.(id);
    },
    receive: wake,
    holding: () => released === undefined,
    release: (ms) => {
      clearTimeout(released);
      released = setTimeout(() => (released = undefined), Math.max(0, ms));
      for (const set of [...waiters.values()]) for (const w of [...set]) w();
    },
  };
}
