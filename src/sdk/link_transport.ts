import type { DeviceLink } from '../protocol/tunnel/types.js';
import type { Transport, TransportResponse } from './transport.js';

const decoder = new TextDecoder();

/**
 * A transport over any DeviceLink: requests go straight to the device's data channel (the relay
 * only brokers the WebRTC connection), framed as in the tunnel. The link is a `PeerLink`
 * (`browserPeerTransport` in src/sdk/browser.ts, `peerTransport` in src/sdk/node.ts); the other
 * transport is `fetchTransport(proxy_url)`.
 */
export function linkTransport(link: DeviceLink, peerId: string): Transport {
  const call = async (
    method: string,
    path: string,
    body: string | undefined,
    signal?: AbortSignal,
  ): Promise<TransportResponse> => {
    const res = await link.request(
      peerId,
      {
        method,
        path,
        headers: body === undefined ? {} : { 'content-type': 'application/jose' },
        ...(body === undefined ? {} : { body: new TextEncoder().encode(body) }),
      },
      signal,
    );
    return {
      status: res.status,
      contentType: res.headers['content-type'] ?? '',
      body: decoder.decode(res.body),
    };
  };
  return {
    get: (path, signal) => call('GET', path, undefined, signal),
    post: (path, body, signal) => call('POST', path, body, signal),
  };
}
