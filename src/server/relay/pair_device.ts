import type { RequestHandler } from 'express';
import { DiscoError, isDiscoError } from '../../protocol/errors/index.js';
import { KEEP_AFTER_PAIRING_MS, type RelayContext } from './context.js';
import type { PairedDevice, PairingRecord } from './pairing_store.js';
import { readPairingBody } from './pairing_body.js';
import { postCallback } from './post_callback.js';
import { uidTag } from './uid.js';

/**
 * Tells the RP through its callback URL (in the background: the device does not wait). The
 * `authorization: Bearer <wait_token>` header lets the RP check the call comes from the relay
 * it asked; the URL is checked again before the connection.
 */
function notifyRp(ctx: RelayContext, record: PairingRecord, device: PairedDevice): void {
  const { config, logger, lifecycle } = ctx;
  const pairing = uidTag(record.uid);
  // the callback keeps its own timeout; this only ends it when the relay closes
  const work = lifecycle.work(config.callbackTimeoutMs + 1000);
  const sent = postCallback(record.callback!, device, {
    allowLoopback: config.allowLoopbackCallbacks,
    resolveHost: config.resolveHost,
    timeoutMs: config.callbackTimeoutMs,
    headers: { authorization: `Bearer ${record.waitToken}` },
    signal: work.signal,
  }).then(
    (status) => logger.log('info', 'callback.delivered', { pairing, status }),
    (err: unknown) =>
      logger.log('warn', 'callback.failed', {
        pairing,
        code: isDiscoError(err) ? err.code : 'ERR_INTERNAL',
      }),
  );
  lifecycle.track(sent.finally(() => work.done()));
}

/**
 * `POST /uid` from the device (DESIGN.md flow 1): checks the body, then spends the uid
 * atomically (the first device wins; later ones get ERR_PAIRING_USED), answers the RP's
 * certificate and the plain challenge, and tells the RP (callback and/or its long-poll).
 * Unknown and expired uids are one answer, ERR_PAIRING_UNKNOWN: a guesser learns nothing more.
 */
export function pairDevice(ctx: RelayContext): RequestHandler {
  const { config, store, logger } = ctx;
  return (req, res, next) => {
    const run = async () => {
      const { uid, device } = await readPairingBody(req.body, config.publicUrl);
      const outcome = await store.pair(uid, device, KEEP_AFTER_PAIRING_MS);
      if (!outcome.ok) {
        logger.log('info', 'pairing.refused', { pairing: uidTag(uid), reason: outcome.reason });
        throw outcome.reason === 'used'
          ? new DiscoError('ERR_PAIRING_USED', 'This uid has been used already.')
          : new DiscoError('ERR_PAIRING_UNKNOWN', 'Unknown or expired uid.');
      }
      const { record } = outcome;
      logger.log('info', 'pairing.paired', {
        pairing: uidTag(uid),
        peer_id: device.peer_id,
        callback: record.callback !== null,
      });
      res.set('cache-control', 'no-store').json({
        certificate: record.certificatePem,
        challenge: record.challenge,
        callback: record.callback !== null,
      });
      if (record.callback !== null) notifyRp(ctx, record, device);
    };
    run().catch(next);
  };
}
