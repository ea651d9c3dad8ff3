import { fileURLToPath } from 'node:url';
import express, {
  type ErrorRequestHandler,
  type Express,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';

/**
 * What the demo servers share on the HTTP side: the error shape (the project's OAuth shape,
 * `{ error, error_description, code }`, see docs/errors.md), strict JSON bodies, the security
 * headers, and the static pages.
 */

/** Demo API error codes: the project's where one fits, plus the few only the demos need. */
export const API_ERRORS = {
  ERR_INVALID_INPUT: { status: 400, error: 'invalid_request' },
  ERR_FORBIDDEN: { status: 403, error: 'access_denied' },
  ERR_NOT_FOUND: { status: 404, error: 'invalid_request' },
  ERR_METHOD_NOT_ALLOWED: { status: 405, error: 'invalid_request' },
  ERR_WRONG_STATE: { status: 409, error: 'invalid_request' },
  ERR_KEY_B_USED: { status: 409, error: 'invalid_grant' },
  ERR_AUDIENCE_MISMATCH: { status: 400, error: 'invalid_grant' },
  ERR_JWT_EXPIRED: { status: 400, error: 'invalid_grant' },
  ERR_TOO_LARGE: { status: 413, error: 'invalid_request' },
  ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, error: 'invalid_request' },
  ERR_INTERNAL: { status: 500, error: 'server_error' },
  ERR_UPSTREAM: { status: 502, error: 'temporarily_unavailable' },
  ERR_BUSY: { status: 503, error: 'temporarily_unavailable' },
} as const satisfies Record<string, { status: number; error: string }>;

export type ApiCode = keyof typeof API_ERRORS;

/** An error answered to the caller as it is: its code, and a message meant for people. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiCode,
    message: string,
  ) {
    super(message);
  }
  get status(): number {
    return API_ERRORS[this.code].status;
  }
}

export interface Logger {
  info(line: string): void;
  error(line: string): void;
}

export const consoleLogger: Logger = {
  info: (line) => console.log(line),
  error: (line) => console.error(line),
};

export function sendError(res: Response, err: ApiError): void {
  res
    .status(err.status)
    .set('cache-control', 'no-store')
    .json({ error: API_ERRORS[err.code].error, error_description: err.message, code: err.code });
}

/** The demos' pages' headers: the strict CSP of the brief, no framing, no referrer. */
export function securityHeaders(): Record<string, string> {
  return {
    'content-security-policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    'x-frame-options': 'DENY',
  };
}

/** An Express app with the headers set and nothing else: no `x-powered-by`, no ETag games. */
export function baseApp(): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const headers = securityHeaders();
  app.use((_req, res, next) => {
    res.set(headers);
    next();
  });
  // JSON answers describe live state: never cached.
  app.use('/api', (_req, res, next) => {
    res.set('cache-control', 'no-store');
    next();
  });
  return app;
}

/** Lets an async handler's rejection reach the error handler instead of crashing the process. */
export function wrap(
  fn: (req: Request, res: Response) => Promise<void> | void,
): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    try {
      const out = fn(req, res);
      if (out instanceof Promise) out.catch(next);
    } catch (err) {
      next(err);
    }
  };
}

const MAX_BODY = '32kb';
const parseJson = express.json({ limit: MAX_BODY, strict: true, type: 'application/json' });

/**
 * Strict JSON bodies: a body must say `application/json` (anything else is 415, which also keeps
 * other origins' plain form posts out), at most 32 KiB, and an object. No body is `{}`.
 */
export const jsonBody: RequestHandler = (req, res, next) => {
  const hasBody =
    req.headers['transfer-encoding'] !== undefined ||
    (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
  if (hasBody && !req.is('application/json')) {
    sendError(
      res,
      new ApiError(
        'ERR_UNSUPPORTED_MEDIA_TYPE',
        'Send a JSON body (content-type: application/json).',
      ),
    );
    return;
  }
  parseJson(req, res, next);
};

/** The body as an object with only the `allowed` fields; anything else is a 400. */
export function readObject(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError('ERR_INVALID_INPUT', 'The body must be a JSON object.');
  }
  const extra = Object.keys(body).filter((k) => !allowed.includes(k));
  if (extra.length > 0) {
    const list = extra
      .slice(0, 3)
      .map((k) => JSON.stringify(k.slice(0, 40)))
      .join(', ');
    throw new ApiError(
      'ERR_INVALID_INPUT',
      allowed.length === 0
        ? `Unexpected field ${list}: this request takes no fields.`
        : `Unexpected field ${list}; expected only ${allowed.join(', ')}.`,
    );
  }
  return body as Record<string, unknown>;
}

/**
 * A browser's POST must come from the page's own origin (the session cookie is SameSite=Strict
 * already; this also refuses other origins that send no cookie at all).
 */
export const sameOriginOnly: RequestHandler = (req, res, next) => {
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  const own = `${req.protocol}://${req.headers.host ?? ''}`;
  if (
    (origin !== undefined && origin !== own) ||
    (site !== undefined && site !== 'same-origin' && site !== 'none')
  ) {
    sendError(res, new ApiError('ERR_FORBIDDEN', 'Requests from other sites are not accepted.'));
    return;
  }
  next();
};

/** `405` with `Allow` for a known path asked with another method. */
export function methodNotAllowed(allow: readonly string[]): RequestHandler {
  return (_req, res) => {
    res.set('allow', allow.join(', '));
    sendError(res, new ApiError('ERR_METHOD_NOT_ALLOWED', `Use ${allow.join(' or ')} here.`));
  };
}

/** The files both pages use (`/common.css`), beside the page's own. */
const COMMON_PUBLIC = fileURLToPath(new URL('./public/', import.meta.url));

/**
 * Serves a page's `public/` directory, then the shared one, never cached by HTTP (the demo
 * changes under `npm start`). Same origin, so the pages' `style-src 'self'` covers both.
 */
export function servePublic(app: Express, moduleUrl: string): void {
  for (const dir of [fileURLToPath(new URL('./public/', moduleUrl)), COMMON_PUBLIC]) {
    app.use(
      express.static(dir, {
        index: 'index.html',
        dotfiles: 'ignore',
        redirect: false,
        setHeaders(res) {
          res.set('cache-control', 'no-cache');
        },
      }),
    );
  }
}

/** The last handlers of every demo app: JSON 404s, and every error as the OAuth shape. */
export function finish(app: Express, log: Logger): void {
  app.use((_req, res) => {
    sendError(res, new ApiError('ERR_NOT_FOUND', 'Not found.'));
  });
  const onError: ErrorRequestHandler = (err: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    sendError(res, toApiError(err, log));
  };
  app.use(onError);
}

/** body-parser's errors carry a `type`; ours are ApiErrors; anything else is internal. */
export function toApiError(err: unknown, log: Logger): ApiError {
  if (err instanceof ApiError) return err;
  const type = (err as { type?: unknown } | null)?.type;
  if (type === 'entity.too.large')
    return new ApiError('ERR_TOO_LARGE', `A body may have ${MAX_BODY} at most.`);
  if (type === 'entity.parse.failed')
    return new ApiError('ERR_INVALID_INPUT', 'The body is not valid JSON.');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported')
    return new ApiError('ERR_UNSUPPORTED_MEDIA_TYPE', 'Send the body as UTF-8 JSON.');
  if (type === 'request.aborted' || type === 'request.size.invalid')
    return new ApiError('ERR_INVALID_INPUT', 'The body arrived incomplete.');
  log.error(
    `demo: internal error: ${err instanceof Error ? `${err.name}: ${err.message}` : 'unknown'}`,
  );
  return new ApiError('ERR_INTERNAL', 'Something went wrong on our side.');
}
