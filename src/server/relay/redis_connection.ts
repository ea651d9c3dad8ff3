import { createClient } from '@redis/client';
import { DiscoError } from '../../protocol/errors/index.js';

/**
 * A Redis connection (`@redis/client`) that fails at once while Redis is down (no offline
 * queue: a request must not hang until Redis returns) and reconnects by itself, backing off to
 * at most 2 s between tries.
 */
export function redisConnection(url: string) {
  const c = createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 2000) },
  });
  // Errors surface on the calls themselves; the client reconnects by itself.
  c.on('error', () => undefined);
  return c;
}
export type RedisConnection = ReturnType<typeof redisConnection>;

/** What every Redis-backed part of the relay throws while Redis cannot be reached (503). */
export function storeUnavailable(cause: unknown): DiscoError {
  return new DiscoError(
    'ERR_RELAY_STORE_UNAVAILABLE',
    "The relay's shared store cannot be reached.",
    {
      cause,
    },
  );
}

/** Runs `op`, turning any failure that is not already a DiscoError into ERR_RELAY_STORE_UNAVAILABLE. */
export async function orUnavailable<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw err instanceof DiscoError ? err : storeUnavailable(err);
  }
}

/**
 * Connects every client, or destroys them all and throws ERR_RELAY_STORE_UNAVAILABLE: a refused
 * first connection is retried by the reconnect strategy like a lost one, so `connect()` alone
 * would wait for ever for a Redis that is not there; after `timeoutMs` it gives up.
 */
export async function connectAll(clients: RedisConnection[], timeoutMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(
      () => fail(new Error(`no Redis connection within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([Promise.all(clients.map((c) => c.connect())), late]);
  } catch (err) {
    for (const c of clients) c.destroy();
    throw storeUnavailable(err);
  } finally {
    clearTimeout(timer);
  }
}
