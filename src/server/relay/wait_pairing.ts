import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { DiscoError } from '../../protocol/errors/index.js';
import type { RelayContext } from './context.js';
import { parseUid } from './uid.js';

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * `GET /uid/<uid>/wait` with `authorization: Bearer <wait_token>`: the RP's long-poll.
 * `200` with the device as soon as it pairs (at once if it has), `204` when it has not within
 * the long-poll time (poll again), `401` without a bearer token, `404` when the uid is unknown,
 * expired, or the token is not this uid's — deliberately one answer, so that the endpoint cannot
 * tell a guesser which uids are live (which would let it aim `POST /uid` at them).
 */
export function waitPairing(ctx: RelayContext): RequestHandler {
  const { config, store, lifecycle } = ctx;
  return (req, res, next) => {
    const run = async () => {
      const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
      if (token === undefined) {
        res.set('www-authenticate', 'Bearer');
        throw new DiscoError('ERR_WAIT_TOKEN', 'The wait_token is required as a Bearer token.');
      }
      const uid = parseUid(req.params.uid);
      const record = uid === null ? undefined : await store.get(uid);
      if (uid === null || !record || !sameSecret(token, record.waitToken))
        throw new DiscoError('ERR_PAIRING_UNKNOWN', 'Unknown or expired uid.');
      res.set('cache-control', 'no-store');
      if (record.device) {
        res.json(record.device);
        return;
      }
      const work = lifecycle.work(config.longPollSeconds * 1000, res);
      const device = await store.waitForDevice(uid, work.signal).finally(() => work.done());
      if (work.clientGone()) return;
      if (device) res.json(device);
      else res.status(204).end();
    };
    const done = run().catch(next);
    lifecycle.track(done);
  };
}
