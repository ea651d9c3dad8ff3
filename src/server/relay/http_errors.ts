import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { DiscoError, isDiscoError, toWire } from '../../protocol/errors/index.js';
import type { Logger } from './log.js';

/** Answers `err` as the OAuth-style error body of `toWire`; `status` overrides its status (429). */
export function sendError(res: Response, err: unknown, status?: number): void {
  const wire = toWire(err);
  res
    .status(status ?? wire.status)
    .set('cache-control', 'no-store')
    .json(wire.body);
}

/** body-parser's and Express's own input errors, as Disco errors. */
function fromBodyParser(err: unknown): DiscoError | null {
  const type = (err as { type?: unknown } | null)?.type;
  switch (type) {
    case 'entity.too.large':
      return new DiscoError('ERR_TOO_LARGE', 'The request body is too large.');
    case 'entity.parse.failed':
      return new DiscoError('ERR_INVALID_INPUT', 'The request body is not valid JSON.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
    case 'entity.verify.failed':
    case 'request.size.invalid':
      return new DiscoError('ERR_INVALID_INPUT', 'The request body cannot be read.');
    default:
      break;
  }
  // Express could not percent-decode a path parameter (`/uid/%ZZ/wait`): it marks the URIError 400
  if (err instanceof URIError || (err as { status?: unknown } | null)?.status === 400)
    return new DiscoError('ERR_INVALID_INPUT', 'The request cannot be decoded.');
  return null;
}

/**
 * The relay's last error handler: Disco errors and body-parser errors go out through
 * `toWire`; anything else is logged by name only (messages can quote input) and answered
 * `500 server_error`.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const known = isDiscoError(err) ? err : fromBodyParser(err);
    if (!known || known.kind === 'internal') {
      logger.log('error', 'http.error', {
        method: req.method,
        route: (req.route as { path?: string } | undefined)?.path ?? null,
        error: err instanceof Error ? err.name : typeof err,
        code: isDiscoError(err) ? err.code : null,
      });
    }
    sendError(res, known ?? err);
  };
}

/** 404 for anything the relay does not serve. */
export const notFound: RequestHandler = (_req, res) => {
  sendError(res, new DiscoError('ERR_NOT_FOUND', 'Not found.'));
};
