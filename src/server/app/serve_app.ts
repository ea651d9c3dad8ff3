import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express } from 'express';
import { securityHeaders } from './security_headers.js';

/**
 * Serves the built device app (`dist/`). The service worker and the HTML are never cached by
 * HTTP (updates must be seen at once); hashed assets are immutable.
 */
export interface AppOptions {
  /** The relay the app uses unless the person chooses another (served as /app-config.json). */
  relayUrl?: string;
  /** Extra origins the page may connect to (the CSP's connect-src): the relay, http and ws. */
  connectSrc?: readonly string[];
  /**
   * The nodetrust issue and proof servers the app gets its device certificate from
   * (docs/wire/nodetrust.md), served in /app-config.json and allowed by the CSP.
   */
  nodetrust?: { issueUrl: string; proofUrls: readonly string[] };
  /**
   * Internet Identity and the IC (docs/ic.md "Sign-in"): the identity provider the app signs in
   * with, and the IC it calls (its host, allowed by the CSP, and root key as hex DER).
   */
  internetComputer?: {
    identityProviderUrl: string;
    icHost?: string;
    icRootKey?: string;
    icRootSubnetId?: string;
  };
}

export function serveApp(dir: string, opts: AppOptions = {}): Express {
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`No built app in ${dir}: run "npm run build" first.`);
  }
  const relay = opts.relayUrl ? new URL(opts.relayUrl) : undefined;
  const nodetrust = opts.nodetrust && {
    issueUrl: new URL(opts.nodetrust.issueUrl).origin,
    proofUrls: opts.nodetrust.proofUrls.map((url) => new URL(url).origin),
  };
  const ic = opts.internetComputer;
  const connectSrc = [
    ...(opts.connectSrc ?? []),
    ...(ic?.icHost ? [new URL(ic.icHost).origin] : []),
    ...(nodetrust ? [nodetrust.issueUrl, ...nodetrust.proofUrls] : []),
    ...(relay
      ? [relay.origin, `${relay.protocol === 'https:' ? 'wss' : 'ws'}://${relay.host}`]
      : []),
  ];
  const headers = securityHeaders({ connectSrc });
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.set(headers);
    next();
  });
  app.get('/app-config.json', (_req, res) => {
    res
      .set('cache-control', 'no-store')
      .json({ relayUrl: relay?.origin ?? null, nodetrust: nodetrust ?? null, ...(ic ?? {}) });
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
