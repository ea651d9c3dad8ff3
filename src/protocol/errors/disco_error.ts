import { ERROR_CODES, type ErrorCode, type ErrorKind } from './codes.js';

/**
 * The one error type Disco throws on purpose. `code` is stable and from a closed set
 * (see `codes.ts`); `message` is for people and may change.
 */
export class DiscoError extends Error {
  override readonly name = 'DiscoError';
  readonly code: ErrorCode;
  readonly kind: ErrorKind;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.kind = ERROR_CODES[code].kind;
  }
}

/** True when `value` is a DiscoError, optionally with the given code. */
export function isDiscoError(value: unknown, code?: ErrorCode): value is DiscoError {
  return value instanceof DiscoError && (code === undefined || value.code === code);
}
