import type { RequestHandler } from 'express';
import { b64u } from '../../protocol/encoding/index.js';
import { DiscoError } from '../../protocol/errors/index.js';
import { sealJson } from '../../protocol/jose/index.js';
import { checkCallbackUrl } from './address_guard.js';
import { CLIENT_CERTIFICATE_HEADER, readClientCertificate, toPem } from './client_certificate.js';
import type { RelayContext } from './context.js';
import { displayUid, newUid, uidTag } from './uid.js';

/** Draws this many uids before giving up (a collision among 2^40 is already rare). */
const UID_ATTEMPTS = 4;

/**
 * First step of `GET /uid`: reads and checks the RP's certificate, and leaves it (with its
 * encryption key and thumbprint, the per-certificate rate-limit key) in `res.locals`.
 */
export function readCertificateStep(ctx: RelayContext): RequestHandler {
  return (req, res, next) => {
    readClientCertificate(req.headers[CLIENT_CERTIFICATE_HEADER], ctx.config.clock.now()).then(
      ({ cert, key }) => {
        res.locals.cert = cert;
        res.locals.key = key;
        res.locals.thumbprint = cert.thumbprint;
        next();
      },
      next,
    );
  };
}

/**
 * `GET /uid?callback=<url>` (DESIGN.md flow 1): a one-time uid for the RP whose certificate
 * the previous step read, a challenge sealed to that certificate's key, the long-poll secret,
 * and the QR payload. See docs/wire/relay.md.
 */
export function createUid(ctx: RelayContext): RequestHandler {
  const { config, store, logger } = ctx;
  return (req, res, next) => {
    const run = async () => {
      const cert = res.locals.cert as { der: Uint8Array; thumbprint: string };
      const key = res.locals.key as CryptoKey;
      const raw = req.query.callback;
      const callback =
        raw === undefined
          ? null
          : (
              await checkCallbackUrl(raw, {
                allowLoopback: config.allowLoopbackCallbacks,
                resolveHost: config.resolveHost,
              })
            ).href;
      const challenge = b64u.encode(config.random(32));
      const waitToken = b64u.encode(config.random(32));
      const sealed = await sealJson({ challenge }, key);
      const createdAt = config.clock.now();
      const expiresAt = createdAt + config.uidLifetimeSeconds * 1000;
      const record = {
        certificatePem: toPem(cert.der),
        thumbprint: cert.thumbprint,
        challenge,
        callback,
        waitToken,
        createdAt,
        expiresAt,
        device: null,
      };
      let uid: string | null = null;
      for (let attempt = 0; attempt < UID_ATTEMPTS && uid === null; attempt++) {
        const candidate = newUid(config.random);
        if (await store.create({ ...record, uid: candidate })) uid = candidate;
      }
      if (uid === null)
        throw new DiscoError(
          'ERR_RELAY_BUSY',
          'The relay has no free pairing code now; try again.',
        );
      const shown = displayUid(uid);
      logger.log('info', 'pairing.created', {
        pairing: uidTag(uid),
        x5t: cert.thumbprint,
        callback: callback !== null,
      });
      res.set('cache-control', 'no-store').json({
        uid: shown,
        expires_in: config.uidLifetimeSeconds,
        challenge: sealed,
        wait_url: `${config.publicUrl}/uid/${shown}/wait`,
        wait_token: waitToken,
        qr:
          `web+disco:pair?uid=${shown}&x5t=${cert.thumbprint}` +
          `&relay=${encodeURIComponent(config.publicUrl)}`,
      });
    };
    run().catch(next);
  };
}
