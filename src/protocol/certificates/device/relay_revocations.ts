import { b64u } from '../../encoding/index.js';
import { DiscoError } from '../../errors/index.js';
import { listOfBody } from '../revocation_cache.js';
import type { RevocationRelay } from './publish_revocations.js';

/** The part of `fetch` this needs: the device app passes the browser's. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/**
 * The relay's cache of this device's list over HTTP (docs/wire/relay.md "Capability revocation
 * lists"), `url` being `relayRevocationsUrl(relay, peerId)`: `GET` gives the relay's copy, or
 * nothing on 404 / 504 (nothing cached, device away); `PUT` is `taken` on 2xx and `rollback` on
 * `ERR_CAP_REVOCATIONS_ROLLBACK`. Any other answer is ERR_TRANSPORT_FAILED; a body that is not
 * `{ "list": … }` is ERR_CAP_MALFORMED. No credentials: the list is its own authentication.
 */
export function relayRevocationCache(url: string, fetchFn: FetchLike): RevocationRelay {
  const call = (init: RequestInit) =>
    fetchFn(url, { ...init, credentials: 'omit', signal: AbortSignal.timeout(10_000) });
  const failed = (res: Response) =>
    new DiscoError('ERR_TRANSPORT_FAILED', `The relay answered ${res.status}.`);
  return {
    async get() {
      const res = await call({ cache: 'no-store' });
      if (res.status === 404 || res.status === 504) return undefined;
      if (!res.ok) throw failed(res);
      return listOfBody(await res.json().catch(() => undefined));
    },
    async put(envelope) {
      const res = await call({
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ list: b64u.encode(envelope) }),
      });
      if (res.ok) return 'taken';
      const body = (await res.json().catch(() => ({}))) as { code?: unknown };
      if (body.code === 'ERR_CAP_REVOCATIONS_ROLLBACK') return 'rollback';
      throw failed(res);
    },
  };
}
