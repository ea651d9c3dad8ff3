/**
 * The pure parts of the HTTP tunnel: which paths and methods go through, which headers, and the
 * test-only tamper. See docs/wire/relay.md "Tunnel".
 */

/** Methods the device's endpoints use. HEAD and OPTIONS are not forwarded (CORS is the relay's). */
export const TUNNEL_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
]);
/** Request headers forwarded to the device; everything else (cookies, auth, proxies') stays. */
export const FORWARDED_HEADERS = ['content-type', 'accept'] as const;
const MAX_PATH_CHARS = 8 * 1024;
const MAX_HEADER_CHARS = 1024;

/**
 * The path (and query) to ask the device for, or null: it must be under `/disco/` and already in
 * the form a URL parser leaves it, so that no `..`, `%2e%2e`, backslash or other trick can make
 * the device's `fetch` resolve it outside `/disco/`.
 */
export function devicePath(rest: string): string | null {
  if (rest.length > MAX_PATH_CHARS) return null;
  const query = rest.indexOf('?');
  const pathname = query < 0 ? rest : rest.slice(0, query);
  if (!pathname.startsWith('/disco/') || pathname.includes('\\')) return null;
  let normalized: string;
  try {
    normalized = new URL(pathname, 'http://device.invalid').pathname;
  } catch {
    return null;
  }
  return normalized === pathname ? rest : null;
}

/** The forwarded request headers (lower-case names, single values, bounded). */
export function forwardedHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string' && value.length <= MAX_HEADER_CHARS) out[name] = value;
  }
  return out;
}

const B64U = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Test only (`tamperForTests`): a copy of `body` with exactly one byte changed, the middle one.
 * A base64url character becomes its neighbour in the alphabet (one bit of the encoded data
 * flips, so a JWE still parses and its AES-GCM tag is what fails); any other byte has its low
 * bit flipped. An empty body is returned as it is.
 */
export function tamperBody(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body);
  if (out.length === 0) return out;
  const i = Math.floor(out.length / 2);
  const index = B64U.indexOf(String.fromCharCode(out[i]!));
  out[i] = index >= 0 ? B64U.charCodeAt(index ^ 1) : out[i]! ^ 0x01;
  return out;
}

/** The device's content type if it is a plain `type/subtype[; params]`, else octet-stream. */
export function responseContentType(headers: Readonly<Record<string, string>>): string {
  const value = Object.entries(headers).find(
    ([name]) => name.toLowerCase() === 'content-type',
  )?.[1];
  return value && value.length <= 256 && /^[\w.+-]+\/[\w.+-]+(\s*;[\x20-\x7e]*)?$/.test(value)
    ? value
    : 'application/octet-stream';
}
