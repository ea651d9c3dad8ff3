import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { DiscoError } from '../../protocol/errors/index.js';

/** Every address a host name resolves to (A and AAAA). */
export type ResolveHost = (hostname: string) => Promise<string[]>;

export const systemResolveHost: ResolveHost = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/** IPv6 global unicast (RFC 4291 §2.5.4): everything else in IPv6 is special or unassigned. */
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');
export const MAX_CALLBACK_URL_CHARS = 2048;

/**
 * What an address is, for the callback rules: `public` (may be called), `loopback` (only in
 * dev/test), `other` (never: private, link-local, unspecified, multicast, CGNAT, documentation,
 * 6to4/Teredo/NAT64 tunnels that embed another address, unparsable…). IPv4-mapped IPv6
 * (`::ffff:10.0.0.1`) is judged as the IPv4 address it carries.
 */
export function addressKind(ip: string): 'public' | 'loopback' | 'other' {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.parse(ip);
  } catch {
    return 'other';
  }
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress())
    address = (address as ipaddr.IPv6).toIPv4Address();
  const range = address.range();
  if (range === 'loopback') return 'loopback';
  if (range !== 'unicast') return 'other';
  if (address.kind() === 'ipv6' && !(address as ipaddr.IPv6).match(GLOBAL_UNICAST)) return 'other';
  return 'public';
}

/** True when the relay may connect to `ip` for a callback. */
export function addressAllowed(ip: string, allowLoopback: boolean): boolean {
  const kind = addressKind(ip);
  return kind === 'public' || (allowLoopback && kind === 'loopback');
}

/**
 * One reason for a name that does not resolve and one that resolves to a private address: were
 * they told apart, the relay would tell anyone which internal host names exist.
 */
const NOT_PUBLIC = 'its host must resolve to public addresses only';

function refused(reason: string): DiscoError {
  return new DiscoError('ERR_CALLBACK_REFUSED', `callback refused: ${reason}`);
}

/** The host of a URL as `isIP` and DNS want it (IPv6 literals without brackets). */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Resolves `hostname` and checks that every address is allowed: one private address among
 * public ones is enough to refuse (the connection could pick it). Literal IPs are checked as
 * they are. ERR_INVALID_INPUT otherwise.
 */
export async function resolveAllowed(
  hostname: string,
  opts: { allowLoopback: boolean; resolveHost: ResolveHost },
): Promise<string[]> {
  let addresses: string[];
  if (isIP(hostname)) addresses = [hostname];
  else {
    try {
      addresses = await opts.resolveHost(hostname);
    } catch {
      throw refused(NOT_PUBLIC);
    }
  }
  if (addresses.length === 0) throw refused(NOT_PUBLIC);
  const bad = addresses.find((ip) => !addressAllowed(ip, opts.allowLoopback));
  if (bad !== undefined) throw refused(NOT_PUBLIC);
  return addresses;
}

/**
 * The SSRF rules for an RP's callback URL (DESIGN.md flow 1): an absolute `https` URL without
 * credentials whose host resolves only to public addresses. With `allowLoopback` (dev/test),
 * `http` and loopback addresses are allowed as well. The fragment is dropped.
 * Checked when the uid is made, and again (inside the connection's own DNS lookup) when posting.
 */
export async function checkCallbackUrl(
  raw: unknown,
  opts: { allowLoopback: boolean; resolveHost: ResolveHost },
): Promise<URL> {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_CALLBACK_URL_CHARS)
    throw refused(`it must be a URL of at most ${MAX_CALLBACK_URL_CHARS} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused('not an absolute URL');
  }
  const schemes = opts.allowLoopback ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) throw refused('only https URLs are called');
  if (url.username || url.password) throw refused('no credentials in the URL');
  url.hash = '';
  await resolveAllowed(hostOf(url), opts);
  return url;
}
