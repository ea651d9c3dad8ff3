import { ERROR_CODES, type ErrorCode, type WireError } from './codes.js';
import { isDiscoError } from './disco_error.js';

/** The body of an error answer on the wire (RFC 6749 §5.2 plus Disco's stable `code`). */
export interface WireErrorBody {
  error: WireError;
  error_description: string;
  code: ErrorCode;
}

/**
 * The one place where errors become wire answers. Anything that is not a DiscoError, and every
 * internal error, becomes `server_error` with no detail: internals are never sent to a client.
 */
export function toWire(err: unknown): { status: number; body: WireErrorBody } {
  if (isDiscoError(err) && err.kind !== 'internal') {
    const spec = ERROR_CODES[err.code];
    return {
      status: spec.status,
      body: { error: spec.wire, error_description: err.message, code: err.code },
    };
  }
  const code: ErrorCode = isDiscoError(err) ? err.code : 'ERR_INTERNAL';
  const spec = ERROR_CODES[code];
  return {
    status: spec.status,
    body: { error: spec.wire, error_description: 'internal error', code },
  };
}
