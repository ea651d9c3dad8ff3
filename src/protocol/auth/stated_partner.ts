/**
 * What a company states about the partner it asks key B for (docs/wire/engine.md, key B
 * `audience.client_name`, `audience.client_uri`): a name and an address the person reads on
 * the key B card while that partner is not registered with the device. They are the asking
 * company's claim, never checked by anyone, so they are held to plain text the card can show
 * as it is: no control or format characters (a right-to-left override, U+202E,
 * makes the text after it read backwards), no surrounding spaces, bounded lengths, and an
 * address that is an absolute https URL (http only on a loopback host, for local demos) without
 * user name or password (`https://bank.example@evil.example/` names evil.example).
 */

/** Longest stated name: as long as a registered `client_name` (register.ts). */
export const STATED_NAME_MAX = 100;
/** Longest stated address. */
export const STATED_URI_MAX = 512;

/** Control (Cc), format (Cf: bidi overrides, zero-width), line and paragraph separators. */
const NOT_PLAIN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** Whether `v` is a stated partner name the card may show. */
export function isStatedName(v: unknown): v is string {
  return (
    typeof v === 'string' &&
    v.length > 0 &&
    v.length <= STATED_NAME_MAX &&
    v.trim() === v &&
    !NOT_PLAIN.test(v)
  );
}

/** Whether `v` is a stated partner address the card may show. */
export function isStatedUri(v: unknown): v is string {
  if (typeof v !== 'string' || v.length === 0 || v.length > STATED_URI_MAX || NOT_PLAIN.test(v))
    return false;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname));
}
