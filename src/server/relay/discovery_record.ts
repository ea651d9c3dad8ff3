import { Router } from 'express';
import { DiscoError } from '../../protocol/errors/index.js';
import { RELAY_RECORD_WELL_KNOWN, type ServedRelayRecord } from '../../protocol/nodetrust/index.js';
import { cors } from './cors.js';
import { sendError } from './http_errors.js';

/**
 * `GET /.well-known/disco-relay` (docs/wire/nodetrust.md, "The relay's own copy"): the relay's
 * current signed discovery record, which its nodetrust TLS front made, so a device app (a
 * browser, which cannot ask DNS for TXT) checks it with `checkServedRelayRecord` for the URL it
 * uses. `404 ERR_NOT_FOUND` while there is none (no TLS front, or nothing published yet).
 * The record is public and signed; CORS `*` like the relay's other endpoints.
 */
export function discoveryRecordRoutes(current: () => ServedRelayRecord | null): Router {
  const router = Router();
  router.options(RELAY_RECORD_WELL_KNOWN, cors);
  router.get(RELAY_RECORD_WELL_KNOWN, cors, (_req, res) => {
    const served = current();
    if (!served) {
      sendError(res, new DiscoError('ERR_NOT_FOUND', 'This relay publishes no signed record.'));
      return;
    }
    // republished every half hour with an hour's validity: a minute's cache never serves a stale one
    res
      .set('cache-control', 'max-age=60')
      .json({ record: served.record, peer: served.peer, recordName: served.recordName });
  });
  return router;
}
