import type { ErrorRequestHandler, RequestHandler } from 'express';
import { DiscoError, isDiscoError } from '../../protocol/errors/index.js';
import { sendError } from '../relay/http_errors.js';

/** body-parser's own input errors, as Disco errors (the relay's mapping, smaller). */
function fromBodyParser(err: unknown): DiscoError | null {
  const type = (err as { type?: unknown } | null)?.type;
  if (type === 'entity.too.large')
    return new DiscoError('ERR_TOO_LARGE', 'The request body is too large.');
  if (typeof type === 'string' || (err as { status?: unknown } | null)?.status === 400) {
    return new DiscoError('ERR_NODETRUST_MALFORMED', 'The request body is not valid JSON.');
  }
  return null;
}

/**
 * The nodetrust servers' last handlers: every failure is answered at once as
 * `{error, error_description, code}` (src/protocol/errors/to_wire.ts); internal errors say
 * nothing more than `server_error`.
 */
export function errorHandler(log?: (err: unknown) => void): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const known = isDiscoError(err) ? err : fromBodyParser(err);
    if (!known || known.kind === 'internal' || known.kind === 'transport') log?.(err);
    sendError(res, known ?? err);
  };
}

/**
 * CORS for the endpoints a device app calls from its own origin (fetch with a JSON body needs a
 * preflight): any origin, no credentials. Safe because nothing here rides on ambient authority
 * (cookies, addresses behind a firewall): every request is authenticated by the signatures it
 * carries, and rate limits are per address whatever the origin.
 */
export const cors: RequestHandler = (req, res, next) => {
  res.set('access-control-allow-origin', '*');
  if (req.method !== 'OPTIONS') {
    next();
    return;
  }
  res
    .set({
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'content-type',
      'access-control-max-age': '600',
    })
    .status(204)
    .end();
};

export const notFound: RequestHandler = (_req, res) => {
  sendError(res, new DiscoError('ERR_NOT_FOUND', 'Not found.'));
};

/** Wraps an async handler so its rejection reaches the error handler (Express 4 does not). */
export function asyncHandler(
  fn: (...args: Parameters<RequestHandler>) => Promise<void>,
): RequestHandler {
  return (req, res, next) => {
    fn(req, res, next).catch(next);
  };
}
