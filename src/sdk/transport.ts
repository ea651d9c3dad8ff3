import { DiscoError } from '../protocol/errors/index.js';

/** How the SDK reaches a device: a POST of a sealed request, a GET of its metadata. */
export interface TransportResponse {
  status: number;
  contentType: string;
  body: string;
}

export interface Transport {
  get(path: string, signal?: AbortSignal): Promise<TransportResponse>;
  post(path: string, body: string, signal?: AbortSignal): Promise<TransportResponse>;
}

/**
 * A transport over `fetch` to a base URL: the device's origin, or the relay's tunnel URL
 * (`proxy_url`, e.g. `https://relay.example/p/<peer id>/`), whose path is kept as a prefix.
 */
export function fetchTransport(baseUrl: string, fetchFn: typeof fetch = fetch): Transport {
  const base = baseUrl.replace(/\/+$/, '');
  const call = async (path: string, init: RequestInit): Promise<TransportResponse> => {
    let res: Response;
    try {
      res = await fetchFn(`${base}${path}`, init);
    } catch (cause) {
      if ((init.signal as AbortSignal | undefined)?.aborted)
        throw new DiscoError('ERR_ABORTED', 'Cancelled.');
      throw new DiscoError('ERR_TRANSPORT_FAILED', `${base} cannot be reached.`, { cause });
    }
    return {
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      body: await res.text(),
    };
  };
  return {
    get: (path, signal) => call(path, { method: 'GET', ...(signal ? { signal } : {}) }),
    post: (path, body, signal) =>
      call(path, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/jose' },
        ...(signal ? { signal } : {}),
      }),
  };
}
