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

/** A transport over `fetch` to a base URL (the device's origin, or the relay's tunnel URL). */
export function fetchTransport(baseUrl: string, fetchFn: typeof fetch = fetch): Transport {
  const call = async (path: string, init: RequestInit): Promise<TransportResponse> => {
    const res = await fetchFn(new URL(path, baseUrl), init);
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
