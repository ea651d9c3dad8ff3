import { base64url } from 'jose';
import { DiscoError, type ErrorCode } from '../../errors/index.js';
import { isCanonicalBase64url } from '../../encoding/index.js';

/** A JSON object as parsed from a JOSE header or claims set. */
export type JsonObject = Record<string, unknown>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Kept here for the JOSE code; the one definition is in `encoding`. */
export { isCanonicalBase64url };

export function isJsonObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Parses base64url-encoded UTF-8 JSON that must be an object (RFC 7515 §5.2 steps 2–4). */
export function decodeJsonObject(part: string, code: ErrorCode, what: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(base64url.decode(part)));
  } catch (cause) {
    throw new DiscoError(code, `${what} is not base64url-encoded UTF-8 JSON`, { cause });
  }
  if (!isJsonObject(parsed)) throw new DiscoError(code, `${what} is not a JSON object`);
  return parsed;
}

/**
 * Splits a compact serialization (RFC 7515 §7.1: 3 parts, RFC 7516 §7.1: 5 parts), checks its size
 * before anything else, checks that every part is canonical base64url and decodes the protected
 * header. Nothing here touches a key.
 */
export function splitCompact(
  input: unknown,
  count: 3 | 5,
  maxBytes: number,
  malformed: ErrorCode,
): { parts: readonly string[]; header: JsonObject } {
  const kind = count === 3 ? 'signed token (JWS)' : 'encrypted message (JWE)';
  if (typeof input !== 'string') {
    throw new DiscoError(malformed, `The ${kind} is missing: text was expected.`);
  }
  // Valid input is ASCII, so UTF-16 length = byte length; anything longer is refused unread.
  if (input.length > maxBytes) {
    throw new DiscoError('ERR_TOO_LARGE', `The ${kind} is longer than ${maxBytes} bytes.`);
  }
  const parts = input.split('.');
  if (parts.length !== count) {
    throw new DiscoError(
      malformed,
      `This is not a ${kind}: it must have ${count} parts separated by dots.`,
    );
  }
  if (!parts.every(isCanonicalBase64url)) {
    throw new DiscoError(malformed, `A part of the ${kind} is not canonical base64url.`);
  }
  const first = parts[0] ?? '';
  if (first === '') throw new DiscoError(malformed, `The ${kind} has no protected header.`);
  return { parts, header: decodeJsonObject(first, malformed, 'protected header') };
}

/** Reads a size limit option: a positive safe integer, or the default. */
export function byteLimit(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new DiscoError('ERR_INVALID_INPUT', 'maxBytes must be a positive integer');
  }
  return value;
}
