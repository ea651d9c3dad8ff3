import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express } from 'express';
import { securityHeaders } from './security_headers.js';

/**
 * Serves the built device app (`dist/`). The service worker and the HTML are never cached by
 * HTTP (updates must be seen at once); hashed assets are immutable.
 */
export function serveApp(dir: string, opts: { connectSrc?: readonly string[] } = {}): Express {
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`No built app in ${dir}: run "npm run build" first.`);
  }
  const headers = securityHeaders(opts);
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.set(headers);
    next();
  });
  app.use(
    express.static(dir, {
      index: 'index.html',
      setHeaders(res, path) {
        if (path.includes('/assets/'))
          res.set('cache-control', 'public, max-age=31536000, immutable');
        else res.set('cache-control', 'no-cache');
        if (path.endsWith('.webmanifest')) res.type('application/manifest+json');
      },
    }),
  );
  // The app routes by hash, but a deep link must still load the shell; /disco/* is the service
  // worker's: without one (first visit, or a plain HTTP client) it is 404, never the HTML.
  app.get(/^\/(?!disco\/|api\/|assets\/).*/, (_req, res) => {
    res.set('cache-control', 'no-cache').sendFile(join(dir, 'index.html'));
  });
  app.use((_req, res) => {
    res
      .status(404)
      .json({ error: 'invalid_request', error_description: 'Not found.', code: 'ERR_NOT_FOUND' });
  });
  return app;
}
