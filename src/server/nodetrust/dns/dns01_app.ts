import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Express } from 'express';
import { DiscoError } from '../../../protocol/errors/index.js';
import { classifyName, PATHS } from '../../../protocol/nodetrust/index.js';
import { errorHandler, notFound } from '../http.js';
import type { ChallengeStore } from './challenge_store.js';

/** A DNS-01 TXT value: base64url of a SHA-256 digest (RFC 8555 §8.4), 43 characters. */
const CHALLENGE_VALUE = /^[A-Za-z0-9_-]{43}$/;

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * `POST /nodetrust/dns-01/1.0.0` (docs/wire/nodetrust.md §dns-01): the issue server sets or
 * removes an `_acme-challenge` TXT value. Only a caller holding the shared bearer token
 * (RFC 6750 §2.1) may; the name must be the challenge name of a nodetrust name in this zone,
 * the value a DNS-01 digest. Nothing else in the zone can be changed.
 */
export function createDns01App(options: {
  zone: string;
  token: string;
  challenges: ChallengeStore;
}): Express {
  if (options.token.length < 16)
    throw new TypeError('the dns-01 token must have at least 16 characters');
  const expected = digest(options.token);
  const app = express();
  app.disable('x-powered-by');
  app.post(PATHS.dns01, (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const given = /^Bearer (\S+)$/.exec(header)?.[1] ?? '';
    // Compare digests, so the comparison takes the same time whatever the token's length.
    if (!timingSafeEqual(digest(given), expected)) {
      next(new DiscoError('ERR_NODETRUST_UNAUTHORIZED', 'dns-01: bearer token required'));
      return;
    }
    next();
  });
  app.post(PATHS.dns01, express.json({ limit: '2kb' }), (req, res) => {
    const body = req.body as { action?: unknown; name?: unknown; value?: unknown } | undefined;
    const action = body?.action;
    const name = typeof body?.name === 'string' ? body.name : '';
    const value = typeof body?.value === 'string' ? body.value : '';
    if ((action !== 'set' && action !== 'remove') || !CHALLENGE_VALUE.test(value)) {
      throw new DiscoError('ERR_NODETRUST_MALFORMED', 'dns-01: {action: set|remove, name, value}');
    }
    const where = classifyName(name, options.zone);
    if (where.kind !== 'acme') {
      throw new DiscoError(
        'ERR_NODETRUST_NAME_INVALID',
        'dns-01: not an _acme-challenge name of this zone',
      );
    }
    if (action === 'remove') options.challenges.remove(where.target, value);
    else if (!options.challenges.set(where.target, value)) {
      throw new DiscoError('ERR_NODETRUST_BUSY', 'dns-01: too many challenge records');
    }
    res.set('cache-control', 'no-store').json({ ok: true });
  });
  app.use(notFound);
  app.use(errorHandler());
  return app;
}
