import type { ErrorRequestHandler, Express } from 'express';
import { listen } from '../../server/listen.js';
import { isDiscoError, toWire } from '../../protocol/errors/index.js';
import { httpBase } from '../common/config.js';
import {
  baseApp,
  consoleLogger,
  finish,
  jsonBody,
  methodNotAllowed,
  sameOriginOnly,
  servePublic,
  wrap,
  type Logger,
} from '../common/http.js';
import { SessionStore } from '../common/session.js';
import { NotesSession, type NotesContext } from './context.js';
import { postNote, postSessionNote } from './post_note.js';
import { receiveCertificate, returnPath } from './receive_certificate.js';
import { ReplayCache } from './replay_cache.js';
import { PULL_AFTER_MS, pushRevocations } from './revocations.js';
import { serveRequest, signIn } from './sign_in.js';
import { viewOf } from './view.js';

/**
 * The demo notes app (issue #8, DESIGN.md "demo relying parties"): "Sign in with Disco" asks the
 * person's device for a capability certificate; notes are then accepted only when signed by the
 * app key the certificate names, and refused once the device revokes it. Everything is in memory.
 */
export interface NotesConfig {
  /** The Disco relay; revocation lists are fetched only through its device tunnel. */
  relayUrl: string;
  /** The device app, for the https link (`<deviceUrl>/#/capability?…`); else `web+disco:`. */
  deviceUrl?: string;
  /** Where to listen (default 127.0.0.1) and the port (0 picks a free one). */
  host?: string;
  port?: number;
  log?: Logger;
  /** For tests: the clock (milliseconds) and the fetch used for revocation lists. */
  now?: () => number;
  fetch?: typeof fetch;
  limits?: Partial<NotesContext['limits']> & { sessions?: number };
  /**
   * How old a device's revocation list may get before the server asks the device again
   * (default 60 000 ms). Tests set it low so a revocation shows without waiting a minute.
   */
  revocationPullAfterMs?: number;
}

export const NOTES_COOKIE = 'disco_demo_notes';

export function createNotes(config: NotesConfig): {
  app: Express;
  ctx: NotesContext;
  close(): void;
} {
  const now = config.now ?? Date.now;
  const ctx: NotesContext = {
    origin: '',
    relayUrl: httpBase(config.relayUrl, 'relayUrl'),
    ...(config.deviceUrl ? { deviceUrl: httpBase(config.deviceUrl, 'deviceUrl') } : {}),
    now,
    log: config.log ?? consoleLogger,
    fetchFn: config.fetch ?? fetch,
    sessions: new SessionStore(
      NOTES_COOKIE,
      { max: config.limits?.sessions ?? 500, idleMs: 30 * 60_000 },
      () => new NotesSession(),
      now,
    ),
    pending: new Map(),
    accounts: new Map(),
    seen: new ReplayCache(100_000, () => Math.floor(now() / 1000)),
    limits: { accounts: 1000, notesPerAccount: 200, pending: 500, ...config.limits },
    pullAfterMs: config.revocationPullAfterMs ?? PULL_AFTER_MS,
  };

  const app = baseApp();
  app
    .route('/api/state')
    .get((req, res) => {
      res.json(viewOf(ctx, ctx.sessions.find(req)));
    })
    .all(methodNotAllowed(['GET']));
  app
    .route('/api/sign-in')
    .post(
      sameOriginOnly,
      jsonBody,
      wrap((req, res) => signIn(ctx, req, res)),
    )
    .all(methodNotAllowed(['POST']));
  app
    .route('/api/sign-out')
    .post(sameOriginOnly, jsonBody, (req, res) => {
      ctx.sessions.find(req)?.dispose();
      res.json(viewOf(ctx, undefined));
    })
    .all(methodNotAllowed(['POST']));
  app
    .route('/api/session/notes')
    .post(
      sameOriginOnly,
      jsonBody,
      wrap((req, res) => postSessionNote(ctx, req, res)),
    )
    .all(methodNotAllowed(['POST']));
  app
    .route('/api/notes')
    .post(
      jsonBody,
      wrap((req, res) => postNote(ctx, req, res)),
    )
    .all(methodNotAllowed(['POST']));
  app
    .route('/disco/requests/:id')
    .get(wrap((req, res) => serveRequest(ctx, req, res)))
    .all(methodNotAllowed(['GET']));
  app
    .route('/disco/certificates')
    .post(
      jsonBody,
      wrap((req, res) => receiveCertificate(ctx, req, res)),
    )
    .all(methodNotAllowed(['POST']));
  app
    .route('/disco/revocations')
    .post(
      jsonBody,
      wrap((req, res) => pushRevocations(ctx, req, res)),
    )
    .all(methodNotAllowed(['POST']));
  app
    .route('/return')
    .get(wrap((req, res) => returnPath(ctx, req, res)))
    .all(methodNotAllowed(['GET']));

  servePublic(app, import.meta.url);
  // Protocol refusals keep their own code and status (docs/errors.md); the rest as the demos do.
  const protocolErrors: ErrorRequestHandler = (err: unknown, _req, res, next) => {
    if (!isDiscoError(err) || err.kind === 'internal' || res.headersSent) {
      next(err);
      return;
    }
    const { status, body } = toWire(err);
    res.status(status).set('cache-control', 'no-store').json(body);
  };
  app.use(protocolErrors);
  finish(app, ctx.log);
  return { app, ctx, close: () => ctx.sessions.close() };
}

/**
 * Starts the notes app; `npm start` needs one line:
 * `const notes = await startNotes({ relayUrl, deviceUrl, port: 8714 });`.
 */
export async function startNotes(
  config: NotesConfig,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const notes = createNotes(config);
  const server = await listen(notes.app, config.port ?? 0, config.host ?? '127.0.0.1');
  notes.ctx.origin = server.url;
  return {
    url: server.url,
    stop: async () => {
      notes.close();
      await server.close();
    },
  };
}
