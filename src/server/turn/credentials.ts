import { createHmac } from 'node:crypto';

/**
 * Time-limited TURN credentials in the "TURN REST API" scheme that coturn implements with
 * `use-auth-secret` (draft-uberti-behave-turn-rest-00): username `<expiry unix s>:<label>`,
 * password base64(HMAC-SHA1(secret, username)). The TURN server checks them with the shared
 * secret alone, so the relay hands them out without any shared state.
 */
export function turnCredentials(
  secret: string,
  label: string,
  expiresAtSeconds: number,
): { username: string; credential: string } {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(label)) throw new TypeError('TURN label must be a short id');
  const username = `${expiresAtSeconds}:${label}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

/**
 * The REST-API label for credentials handed to one client address (`addressKey`: an IPv4
 * address or an IPv6 /56): 12 hex digits of HMAC-SHA256(secret, address). coturn counts
 * `user-quota` on the part of the username after `<digits>:` (userdb.c `get_real_username`),
 * so every answer given to one address, whatever its expiry, draws on one quota: a client
 * cannot collect fresh usernames to take every allocation (issue #12.12). Keyed by the TURN
 * secret so that several relays sharing it give an address the same label, and so that the
 * label does not show the address to anyone who sees the username.
 */
export function turnLabel(secret: string, addressKey: string): string {
  return createHmac('sha256', secret)
    .update(`disco turn label\0${addressKey}`)
    .digest('hex')
    .slice(0, 12);
}
