import { base64url } from 'jose';

/** base64url without padding (RFC 4648 §5). Decoding rejects anything else with a TypeError. */
export const b64u = {
  encode: (bytes: Uint8Array): string => base64url.encode(bytes),
  decode: (text: string): Uint8Array => {
    if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) {
      throw new TypeError('not base64url');
    }
    return base64url.decode(text);
  },
};

export const utf8 = {
  encode: (text: string): Uint8Array => new TextEncoder().encode(text),
  decode: (bytes: Uint8Array): string => new TextDecoder('utf-8', { fatal: true }).decode(bytes),
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
