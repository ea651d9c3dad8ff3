import { base64url } from 'jose';
import { DiscoError } from '../errors/index.js';

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * True when `text` is unpadded base64url (RFC 4648 §5, RFC 7515 §2) in its one canonical form: no
 * padding, no whitespace, no impossible length, and zero pad bits in the last character
 * (RFC 4648 §3.5). Decoders differ on all of these (`atob` skips whitespace), so we refuse them.
 */
export function isCanonicalBase64url(text: string): boolean {
  if (!BASE64URL.test(text)) return false;
  const rest = text.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const last = ALPHABET.indexOf(text.charAt(text.length - 1));
  return (last & (rest === 2 ? 0x0f : 0x03)) === 0;
}

/**
 * base64url without padding (RFC 4648 §5). Decoding refuses anything but the canonical form with
 * ERR_INVALID_INPUT (callers that know better rethrow their own code), never a TypeError.
 */
export const b64u = {
  encode: (bytes: Uint8Array): string => base64url.encode(bytes),
  decode: (text: string): Uint8Array => {
    if (typeof text !== 'string' || !isCanonicalBase64url(text)) {
      throw new DiscoError('ERR_INVALID_INPUT', 'Not canonical base64url.');
    }
    return base64url.decode(text);
  },
};

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 (RFC 3629). Decoding refuses ill-formed bytes with ERR_INVALID_INPUT, never a TypeError. */
export const utf8 = {
  encode: (text: string): Uint8Array => new TextEncoder().encode(text),
  decode: (bytes: Uint8Array): string => {
    try {
      return strictUtf8.decode(bytes);
    } catch (cause) {
      throw new DiscoError('ERR_INVALID_INPUT', 'Not UTF-8.', { cause });
    }
  },
};

/** Copies into a fresh ArrayBuffer-backed view, as WebCrypto's BufferSource typing wants. */
export function bytes(view: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(view.byteLength);
  out.set(view);
  return out;
}

/** The side effects the protocol core takes as parameters. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}
export type Random = (length: number) => Uint8Array;

export const systemRandom: Random = (length) => crypto.getRandomValues(new Uint8Array(length));
export const systemClock: Clock = { now: () => Date.now() };

export { jsonDepthWithin } from './json_depth.js';
