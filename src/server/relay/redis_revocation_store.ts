import type { CacheDecision, CachedRevocationList } from '../../protocol/certificates/index.js';
import { orUnavailable, type RedisConnection } from './redis_connection.js';
import { entryOfJson, REVOCATION_KEEP_MS, type RevocationStore } from './revocation_store.js';

/**
 * `compareCachedLists` as one Lua script, so Redis decides and writes atomically (two relay
 * processes taking two publications of one device cannot move its list backwards). The entry
 * is stored as the caller's JSON text, never re-encoded by cjson (which prints numbers with 14
 * digits). KEYS[1] the entry; ARGV: sequence, issuedAt, ids digest, entry JSON, keep ms.
 */
const OFFER = `
local v = redis.call('GET', KEYS[1])
if v then
  local c = cjson.decode(v)
  local seq = tonumber(ARGV[1])
  if seq < c.sequence then return 'rollback' end
  if seq == c.sequence then
    if ARGV[3] ~= c.ids then return 'conflict' end
    if tonumber(ARGV[2]) <= c.issuedAt then return 'keep' end
  end
end
redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[5])
return 'store'
`;

/**
 * The relay cluster's cache of revocation lists (issue #14: revocation lists in Redis), on the
 * connection the cluster already has: one JSON value per device under a TTL that each write
 * renews. While Redis is down every call fails with ERR_RELAY_STORE_UNAVAILABLE (503).
 */
export class RedisRevocationStore implements RevocationStore {
  readonly #client: RedisConnection;
  readonly #prefix: string;
  readonly #keepMs: number;

  /** `client` belongs to the caller (the cluster's directory closes it). */
  constructor(client: RedisConnection, prefix: string, keepMs = REVOCATION_KEEP_MS) {
    this.#client = client;
    this.#prefix = `${prefix}revocations:`;
    this.#keepMs = keepMs;
  }

  async get(peerId: string): Promise<CachedRevocationList | undefined> {
    return entryOfJson(await orUnavailable(() => this.#client.get(this.#prefix + peerId)));
  }

  async offer(peerId: string, entry: CachedRevocationList): Promise<CacheDecision> {
    const json = JSON.stringify({
      sequence: entry.sequence,
      issuedAt: entry.issuedAt,
      ids: entry.ids,
      list: entry.list,
    });
    const out = await orUnavailable(() =>
      this.#client.eval(OFFER, {
        keys: [this.#prefix + peerId],
        arguments: [
          String(entry.sequence),
          String(entry.issuedAt),
          entry.ids,
          json,
          String(this.#keepMs),
        ],
      }),
    );
    return out as CacheDecision;
  }

  /** The connection is the cluster's: nothing to close here. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
