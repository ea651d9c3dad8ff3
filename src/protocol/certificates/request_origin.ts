import { b64u, bytes } from '../encoding/index.js';
import { DiscoError } from '../errors/index.js';
import { sameBytes } from './cbor.js';
import { appUrl } from './fields.js';
import { CAPABILITY_LIMITS } from './limits.js';
import { parseRequest } from './parse_request.js';
import type { CertificateRequest } from './request.js';

/**
 * What "this request really comes from that URL's origin" can mean (docs/wire/certificates.md
 * "Origin"). The request's signature proves only that its author holds the subject key; anyone
 * can write any `url` into a request they sign. The origin is established only when the device
 * itself fetched the request's bytes from a URL on that same origin (`request_uri`, over https,
 * or http on loopback): then whoever controls that origin's web server at that moment served this
 * key. A request that arrived inline (in the QR code or the link) is the app's *claim*.
 *
 *  - `verified`: fetched by the device from `fetchedFrom`, same origin as `url`.
 *  - `claimed`: inline; the person is told the origin is unverified.
 */
export type OriginStatus = 'verified' | 'claimed';

export function requestOrigin(
  request: CertificateRequest,
  evidence: { fetchedFrom?: string },
): { origin: string; status: OriginStatus } {
  const origin = new URL(request.url).origin;
  if (evidence.fetchedFrom === undefined) return { origin, status: 'claimed' };
  const from = appUrl(evidence.fetchedFrom, 'request_uri');
  return { origin, status: from.origin === origin ? 'verified' : 'claimed' };
}

/** How a request travels in a QR code or link: inline, or by reference with its hash. */
export type RequestReference =
  | { readonly kind: 'inline'; readonly bytes: Uint8Array }
  | { readonly kind: 'uri'; readonly uri: string; readonly hash: Uint8Array };

/**
 * The link (and QR text) an app shows: `<base>?request=<b64u envelope>`, or
 * `<base>?request_uri=<https URL>&request_hash=<b64u SHA-256 of the envelope>`. `base` is the
 * device app's capability page or `web+disco:capability`.
 */
export function requestLink(base: string, ref: RequestReference): string {
  const params = new URLSearchParams(
    ref.kind === 'inline'
      ? { request: b64u.encode(ref.bytes) }
      : { request_uri: ref.uri, request_hash: b64u.encode(ref.hash) },
  );
  return `${base}?${params.toString()}`;
}

/** Reads a link or scanned text back into a reference; anything else is ERR_CAP_MALFORMED. */
export function parseRequestLink(text: string): RequestReference {
  const bad = () => new DiscoError('ERR_CAP_MALFORMED', 'not a certificate request link');
  if (typeof text !== 'string' || text.length > 8192) throw bad();
  const query = text.indexOf('?');
  if (query < 0) throw bad();
  const params = new URLSearchParams(text.slice(query + 1));
  const keys = [...params.keys()];
  try {
    if (keys.length === 1 && keys[0] === 'request') {
      return { kind: 'inline', bytes: b64u.decode(params.get('request')!) };
    }
    if (keys.length === 2 && params.has('request_uri') && params.has('request_hash')) {
      const hash = b64u.decode(params.get('request_hash')!);
      if (hash.length !== 32) throw bad();
      return { kind: 'uri', uri: appUrl(params.get('request_uri'), 'request_uri').href, hash };
    }
  } catch {
    throw bad();
  }
  throw bad();
}

/** Fetches at most `maxBytes` from `url` (the host's fetch, without credentials). */
export type FetchBytes = (url: string, maxBytes: number) => Promise<Uint8Array>;

/**
 * Turns a reference into a checked request and its origin status: an inline request is
 * `claimed`; a `request_uri` is fetched with `fetchBytes`, its SHA-256 must equal the link's
 * hash (so a QR code swapped for another document is caught), and it is `verified` when the URI
 * is on the request's own origin.
 */
export async function resolveRequest(
  ref: RequestReference,
  opts: { now: number; fetchBytes: FetchBytes },
) {
  if (ref.kind === 'inline') {
    const request = await parseRequest(ref.bytes, opts);
    return { request, bytes: ref.bytes, ...requestOrigin(request, {}) };
  }
  const fetched = await opts.fetchBytes(ref.uri, CAPABILITY_LIMITS.maxRequestBytes);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes(fetched)));
  if (!sameBytes(digest, ref.hash)) {
    // The person reads this message (Requests shows it): a code swapped on a poster, or a
    // document swapped on the server.
    throw new DiscoError(
      'ERR_CAP_DIGEST_MISMATCH',
      'This QR code or link does not match the request it points to: it may have been swapped. Nothing was saved.',
    );
  }
  const request = await parseRequest(fetched, opts);
  return { request, bytes: fetched, ...requestOrigin(request, { fetchedFrom: ref.uri }) };
}
