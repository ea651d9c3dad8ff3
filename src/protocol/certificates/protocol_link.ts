import { DiscoError } from '../errors/index.js';
import { parseRequestLink, type RequestReference } from './request_origin.js';

/** The URL scheme the device app registers (manifest `protocol_handlers`, registerProtocolHandler). */
export const PROTOCOL_SCHEME = 'web+disco';

/** The one query parameter of the handler route: the browser puts the whole `web+disco:` URL there. */
export const PROTOCOL_HANDLER_PARAM = 'disco_link';

/**
 * The handler route, relative to the app's scope: `%s` is replaced by the browser with the
 * escaped `web+disco:` URL. A query on `/` rather than a hash route, because browsers are only
 * required to substitute `%s` in a URL they resolve against the scope, and `/` is always served.
 */
export const PROTOCOL_HANDLER_URL = `/?${PROTOCOL_HANDLER_PARAM}=%s`;

/** A `web+disco:` link is a certificate request link: the same size cap as parseRequestLink's. */
const MAX_LINK = 8192;
const PREFIX = `${PROTOCOL_SCHEME}:capability?`;

const refused = () =>
  new DiscoError(
    'ERR_CAP_MALFORMED',
    'This is not a Disco certificate request link. Nothing was saved.',
  );

/**
 * Parses a `web+disco:` URL handed over by the browser's protocol handler (docs/wire/certificates.md
 * "Links and QR codes"). The URL is untrusted input: any page can launch one. Accepted are
 * exactly `web+disco:capability?request=…` and `web+disco:capability?request_uri=…&request_hash=…`
 * (the scheme in any case, as URL schemes are case-insensitive), printable ASCII only, at most
 * 8192 characters. Anything else is ERR_CAP_MALFORMED; nothing is fetched or stored here.
 */
export function parseProtocolLink(text: unknown): RequestReference {
  if (typeof text !== 'string' || text.length > MAX_LINK) throw refused();
  // What requestLink writes is percent-encoded ASCII: a space, a control or a non-ASCII
  // character means the text was not made by an app following the format.
  if (!/^[\x21-\x7e]+$/.test(text)) throw refused();
  if (text.slice(0, PREFIX.length).toLowerCase() !== PREFIX) throw refused();
  try {
    return parseRequestLink(`?${text.slice(PREFIX.length)}`);
  } catch {
    throw refused();
  }
}

/**
 * Reads the handler route's query (`location.search`): exactly one `disco_link` parameter whose
 * value is a `web+disco:` link as parseProtocolLink accepts. Returns the link text, checked, for
 * the device's acceptCapabilityRequest.
 */
export function protocolLinkFromQuery(search: string): { link: string; ref: RequestReference } {
  if (typeof search !== 'string' || search.length > MAX_LINK * 3) throw refused();
  const params = new URLSearchParams(search);
  const keys = [...params.keys()];
  if (keys.length !== 1 || keys[0] !== PROTOCOL_HANDLER_PARAM) throw refused();
  const link = params.get(PROTOCOL_HANDLER_PARAM) ?? '';
  return { link, ref: parseProtocolLink(link) };
}
