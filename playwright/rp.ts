import type { Page } from '@playwright/test';
import {
  DiscoClient,
  createClientIdentity,
  fetchDeviceInfo,
  type ClientIdentity,
  type DeviceInfo,
  type Transport,
} from '../src/sdk/index.js';
import { systemClock, type Clock } from '../src/protocol/encoding/index.js';

/**
 * The test relying-party harness. The RP's code is the real SDK, running in the test process; its
 * requests are sent with `fetch` from a page of the device's origin, so the device's real service
 * worker answers them, exactly as it will answer requests the relay brings (the relay issue).
 */
export function pageTransport(page: Page): Transport {
  const call = (path: string, init: { method: string; body?: string }) =>
    page.evaluate(
      async ({ path, init }) => {
        const res = await fetch(path, { ...init, headers: { 'content-type': 'application/jose' } });
        return {
          status: res.status,
          contentType: res.headers.get('content-type') ?? '',
          body: await res.text(),
        };
      },
      { path, init },
    );
  return {
    get: (path) => call(path, { method: 'GET' }),
    post: (path, body) => call(path, { method: 'POST', body }),
  };
}

/** Wraps a transport so that one byte of each request or answer is changed in flight. */
export function tamperingTransport(inner: Transport, what: 'request' | 'answer'): Transport {
  const flip = (s: string) => {
    const i = Math.floor(s.length / 2);
    return s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
  };
  return {
    get: (path, signal) => inner.get(path, signal),
    post: async (path, body, signal) => {
      const res = await inner.post(path, what === 'request' ? flip(body) : body, signal);
      return what === 'answer' && res.status === 200 ? { ...res, body: flip(res.body) } : res;
    },
  };
}

export interface Rp {
  client: DiscoClient;
  identity: ClientIdentity;
  audience: { clientId: string; thumbprint: string };
}

/** A relying party of the seed scenario, paired with the device behind `transport`. */
export async function makeRp(
  name: string,
  transport: Transport,
  opts: {
    trusted?: boolean;
    kind?: 'RSA' | 'P-256';
    device?: DeviceInfo;
    clock?: Clock;
    identity?: ClientIdentity;
  } = {},
): Promise<Rp> {
  const clock = opts.clock ?? systemClock;
  const identity =
    opts.identity ??
    (await createClientIdentity({ name, kind: opts.kind ?? 'P-256', clock: systemClock }));
  const device = opts.device ?? (await fetchDeviceInfo(transport));
  const clientId = name.toLowerCase().replace(/\s+/g, '-');
  const client = new DiscoClient({
    clientId,
    clientName: name,
    clientSecret: `${clientId}-secret-`.padEnd(48, '0'),
    isTrusted: opts.trusted ?? false,
    identity,
    device,
    transport,
    clock,
  });
  return { client, identity, audience: { clientId, thumbprint: identity.thumbprint } };
}
