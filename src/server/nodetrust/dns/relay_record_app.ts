import express, { type Express } from 'express';
import { DiscoError } from '../../../protocol/errors/index.js';
import {
  parsePeerId,
  peerLabel,
  PATHS,
  relayRecordName,
  verifyRelayRecord,
} from '../../../protocol/nodetrust/index.js';
import { asyncHandler, cors, errorHandler } from '../http.js';
import { perAddress } from '../rate_limit.js';
import type { RelayRecordStore } from './relay_records.js';

/**
 * `POST /nodetrust/relay-record/1.0.0` `{record}`: a relay publishes its signed discovery record
 * (docs/wire/nodetrust.md, "Relay discovery record"), which the DNS server then answers as TXT at
 * `_disco-relay.p<peer>.<zone>`. No bearer token: the record is signed by the key of the peer id
 * it is filed under, so only that relay can fill its name. `GET …?peer=<peer id>` gives the same
 * record to a browser, which cannot ask DNS for TXT (CORS, any origin: the record is public and
 * checked by its reader).
 */
export function createRelayRecordApp(options: {
  zone: string;
  records: RelayRecordStore;
  now?: () => number;
  /** Publications per client address and minute (default 30; 0: no limit). */
  perMinute?: number;
}): Express {
  const now = options.now ?? Date.now;
  const app = express();
  app.disable('x-powered-by');
  app.use(PATHS.relayRecord, cors);
  app.post(
    PATHS.relayRecord,
    perAddress(options.perMinute ?? 30),
    express.json({ limit: '2kb' }),
    asyncHandler(async (req, res) => {
      const token = (req.body as { record?: unknown } | undefined)?.record;
      const record = await verifyRelayRecord(token, { nowMs: now(), zone: options.zone });
      const target = `${peerLabel(record.peer)}.${options.zone}`;
      const outcome = options.records.put(target, token as string, record);
      if (outcome === 'stale') {
        throw new DiscoError(
          'ERR_NODETRUST_RECORD_STALE',
          'relay record: a newer one is published',
        );
      }
      if (outcome === 'full')
        throw new DiscoError('ERR_NODETRUST_BUSY', 'relay record: store full');
      res.set('cache-control', 'no-store').json({
        ok: true,
        name: relayRecordName(record.peer, options.zone),
        expiresAt: record.expiresAt,
      });
    }),
  );
  app.get(PATHS.relayRecord, (req, res) => {
    const peer = parsePeerId(typeof req.query.peer === 'string' ? req.query.peer : '');
    const record = options.records.get(`${peerLabel(peer)}.${options.zone}`);
    if (!record) throw new DiscoError('ERR_NOT_FOUND', 'relay record: none published');
    res.set('cache-control', 'no-store').json({ record });
  });
  // no 404 here: other paths fall through to the app mounted next (the dns-01 one)
  app.use(errorHandler());
  return app;
}
