import { DiscoError } from '../errors/index.js';
import type { CapValue } from './cbor.js';

/** Field readers shared by the parsers; each refuses with ERR_CAP_MALFORMED and names the field. */
const malformed = (why: string) => new DiscoError('ERR_CAP_MALFORMED', `capability: ${why}`);

/** Refuses fields other than `allowed` (a signed document with unknown fields is not ours). */
export function onlyFields(body: Record<string, CapValue>, allowed: readonly string[]): void {
  const extra = Object.keys(body).find((k) => !allowed.includes(k));
  if (extra !== undefined) throw malformed(`unknown field ${JSON.stringify(extra.slice(0, 20))}`);
}

/** An Ed25519 public key: exactly 32 bytes. */
export function keyField(body: Record<string, CapValue>, name: string): Uint8Array {
  const v = body[name];
  if (!(v instanceof Uint8Array) || v.length !== 32) throw malformed(`${name}: a 32-byte key`);
  return v;
}

/** Integer seconds since the epoch, within 0..2^53−1 (UCAN 1.0 time bounds). */
export function timeField(body: Record<string, CapValue>, name: string): number {
  const v = body[name];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw malformed(`${name}: integer seconds`);
  }
  return v;
}

/** Random bytes, 12 to 32 of them (UCAN 1.0 asks for about 12). */
export function nonceField(body: Record<string, CapValue>, name = 'nonce'): Uint8Array {
  const v = body[name];
  if (!(v instanceof Uint8Array) || v.length < 12 || v.length > 32) {
    throw malformed(`${name}: 12 to 32 bytes`);
  }
  return v;
}

/** Printable text of 1..max characters: no control characters, no lone surrogates. */
export function textField(body: Record<string, CapValue>, name: string, max: number): string {
  const v = body[name];
  if (typeof v !== 'string' || !isText(v, max)) throw malformed(`${name}: 1 to ${max} characters`);
  return v;
}

export function optionalText(body: Record<string, CapValue>, name: string, max: number) {
  return body[name] === undefined ? undefined : textField(body, name, max);
}

export function isText(v: string, max: number): boolean {
  return (
    v.length > 0 &&
    v.length <= max &&
    v.trim() === v &&
    // eslint-disable-next-line no-control-regex
    !/[\u0000-\u001f\u007f-\u009f]/.test(v) &&
    isWellFormed(v)
  );
}

/** No lone surrogates (String.prototype.isWellFormed is ES2024, newer than our target). */
export function isWellFormed(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) return false;
  }
  return true;
}

/** Profile field names: lower-case identifiers (`name`, `email`, `given_name`). */
export const PROFILE_FIELD = /^[a-z][a-z0-9_]{0,31}$/;

/**
 * An app URL: https, or http on a loopback host (development); no credentials, no fragment; at
 * most 512 characters. Returns the parsed URL.
 */
export function appUrl(value: unknown, name: string): URL {
  if (typeof value !== 'string' || value.length > 512) throw malformed(`${name}: a URL`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw malformed(`${name}: a URL`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.href !== value) throw malformed(`${name}: in its normal form (${url.href.slice(0, 80)})`);
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && loopback))) {
    throw malformed(`${name}: https (http on loopback only)`);
  }
  if (url.username || url.password || url.hash) {
    throw malformed(`${name}: no credentials or fragment`);
  }
  return url;
}

/** `{[key]: value}` when value is defined, `{}` otherwise (exactOptionalPropertyTypes). */
export const optional = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
