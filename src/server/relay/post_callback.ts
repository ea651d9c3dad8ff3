import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { DiscoError } from '../../protocol/errors/index.js';
import { checkCallbackUrl, hostOf, resolveAllowed, type ResolveHost } from './address_guard.js';

export interface PostCallbackOptions {
  readonly allowLoopback: boolean;
  readonly resolveHost: ResolveHost;
  readonly timeoutMs: number;
  /** Extra request headers (the relay sends `authorization: Bearer <wait_token>`). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/**
 * A DNS lookup for the connection itself that applies the address rules, so the address the
 * socket connects to is the one that was checked: a name that changes its answer between the
 * check and the connection (DNS rebinding) cannot slip a private address in.
 */
function guardedLookup(opts: PostCallbackOptions): LookupFunction {
  return (hostname, options, callback) => {
    resolveAllowed(hostname, opts).then(
      (addresses) => {
        const entries = addresses.map((address) => ({ address, family: isIP(address) }));
        if (options.all) callback(null, entries);
        else callback(null, entries[0]!.address, entries[0]!.family);
      },
      (err: Error) => callback(err, '', 0),
    );
  };
}

/**
 * POSTs `body` as JSON to an RP's callback URL: the URL and its addresses are checked again
 * (they were checked when the uid was made), no redirects are followed (a 3xx is a failure), no
 * connection is reused, `timeoutMs` bounds the whole exchange, and the answer's body is
 * discarded. Resolves the status (2xx); ERR_CALLBACK_REFUSED when the URL is refused,
 * ERR_TRANSPORT_FAILED or ERR_TIMEOUT when the RP does not take it.
 */
export async function postCallback(
  rawUrl: string,
  body: unknown,
  opts: PostCallbackOptions,
): Promise<number> {
  const url = await checkCallbackUrl(rawUrl, opts);
  if (isIP(hostOf(url))) await resolveAllowed(hostOf(url), opts);
  const payload = Buffer.from(JSON.stringify(body));
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, opts.timeoutMs);
  const onAbort = () => controller.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  try {
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, {
        method: 'POST',
        agent: false,
        lookup: guardedLookup(opts),
        signal: controller.signal,
        headers: {
          ...opts.headers,
          'content-type': 'application/json',
          'content-length': String(payload.length),
          'user-agent': 'disco-relay',
        },
      });
      req.once('response', resolve);
      req.once('error', (cause) => {
        if (cause instanceof DiscoError) reject(cause);
        else if (opts.signal?.aborted)
          reject(new DiscoError('ERR_ABORTED', 'the relay is closing', { cause }));
        else if (timedOut)
          reject(new DiscoError('ERR_TIMEOUT', 'the callback did not answer in time', { cause }));
        else reject(new DiscoError('ERR_TRANSPORT_FAILED', 'the callback failed', { cause }));
      });
      req.end(payload);
    });
    const status = response.statusCode ?? 0;
    response.destroy(); // the body is not read
    if (status < 200 || status > 299)
      throw new DiscoError('ERR_TRANSPORT_FAILED', `the callback answered ${status}`);
    return status;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
