import type { RequestHandler } from 'express';

/**
 * CORS for the relay's own endpoints (`/uid…`, `/p/…`): any origin, never credentials
 * (`access-control-allow-origin: *` forbids them). This is safe because nothing the relay
 * answers depends on ambient authority: there are no cookies, pairing secrets travel in
 * explicit headers, and tunnel traffic is signed and sealed end to end, so a page of another
 * origin learns nothing it could not fetch from its own server. RPs call from browsers too.
 */
export const cors: RequestHandler = (req, res, next) => {
  res.set({
    'access-control-allow-origin': '*',
    'access-control-expose-headers': 'retry-after, ratelimit, ratelimit-policy',
  });
  if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
    res
      .status(204)
      .set({
        'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
        'access-control-allow-headers':
          'content-type, accept, authorization, disco-client-certificate',
        'access-control-max-age': '600',
        vary: 'access-control-request-headers',
      })
      .end();
    return;
  }
  next();
};
