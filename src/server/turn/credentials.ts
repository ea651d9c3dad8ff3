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
