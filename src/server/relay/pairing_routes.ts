import express, { type Router } from 'express';
import type { RelayContext } from './context.js';
import { cors } from './cors.js';
import { createUid, readCertificateStep } from './create_uid.js';
import { pairDevice } from './pair_device.js';
import { waitPairing } from './wait_pairing.js';

/** Largest `POST /uid` body: the fields are a few hundred bytes. */
const PAIR_BODY_LIMIT = '8kb';

/**
 * The pairing endpoints with their rate limits: per address first (cheap), then the work.
 * `GET /uid` is also limited per RP certificate, after the certificate is read; failed
 * `POST /uid` also spend the relay-wide guessing budget.
 */
export function pairingRoutes(ctx: RelayContext): Router {
  const { limiters } = ctx;
  const router = express.Router();
  router.use('/uid', cors);
  router.get(
    '/uid',
    limiters.createPerAddress,
    readCertificateStep(ctx),
    limiters.createPerCertificate,
    createUid(ctx),
  );
  router.post(
    '/uid',
    limiters.pairPerAddress,
    limiters.pairFailures,
    express.json({ limit: PAIR_BODY_LIMIT, strict: true, type: () => true }),
    pairDevice(ctx),
  );
  router.get('/uid/:uid/wait', limiters.waitPerAddress, waitPairing(ctx));
  return router;
}
