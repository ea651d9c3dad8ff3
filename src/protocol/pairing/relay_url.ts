import { DiscoError } from '../errors/index.js';

/** Longest relay address read; real ones are under 100 characters. */
export const MAX_RELAY_URL_CHARS = 2048;

/**
 * Checks a relay address a person typed, a pairing code carried or the deployment configured, and
 * returns its origin (WHATWG URL): http(s), no credentials, no path beyond `/`, no query or
 * fragment. ERR_TOO_LARGE past MAX_RELAY_URL_CHARS (checked before the URL parser runs),
 * ERR_INVALID_INPUT for anything else.
 */
export function checkRelayUrl(input: string): string {
  if (typeof input !== 'string') throw new DiscoError('ERR_INVALID_INPUT', 'No relay address.');
  if (input.length > MAX_RELAY_URL_CHARS)
    throw new DiscoError('ERR_TOO_LARGE', 'This relay address is too long.');
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new DiscoError(
      'ERR_INVALID_INPUT',
      'Enter the relay address, like https://relay.example.',
    );
  }
  if (
    !/^https?:$/.test(url.protocol) ||
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    (url.pathname !== '/' && url.pathname !== '')
  ) {
    throw new DiscoError(
      'ERR_INVALID_INPUT',
      'A relay address is http(s)://host[:port] with nothing after it.',
    );
  }
  return url.origin;
}
