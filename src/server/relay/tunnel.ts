import express, { type RequestHandler, type Router } from 'express';
import { DiscoError, isDiscoError } from '../../protocol/errors/index.js';
import {
  PEER_ID_PATTERN,
  TUNNEL_MAX_BODY_BYTES,
  type TunnelRequest,
  type TunnelResponse,
} from '../../protocol/tunnel/index.js';
import type { RelayContext } from './context.js';
import { cors } from './cors.js';
import { guardUpload, refuseUnread, UploadBudget } from './tunnel_upload.js';
import {
  devicePath,
  forwardedHeaders,
  responseContentType,
  tamperBody,
  TUNNEL_METHODS,
} from './tunnel_request.js';

/** Link failures whose message the log keeps as `reason`. */
const LINK_FAILURES = new Set(['ERR_DEVICE_UNREACHABLE', 'ERR_TRANSPORT_FAILED']);
/** Checks everything that needs no body, so nothing is read for a request that will be refused. */
const checkRequest: RequestHandler = (req, res, next) => {
  // from the raw URL: the peer id must appear as it is, not percent-encoded
  const [, peerId = '', rest = ''] = /^\/p\/([^/?]*)(.*)$/s.exec(req.url) ?? [];
  const path = devicePath(rest);
  if (!PEER_ID_PATTERN.test(peerId) || peerId !== req.params.peerId || path === null) {
    next(new DiscoError('ERR_NOT_FOUND', 'Only /p/<device peer id>/disco/… is forwarded.'));
    return;
  }
  if (!TUNNEL_METHODS.has(req.method)) {
    next(new DiscoError('ERR_METHOD_NOT_ALLOWED', `${req.method} is not forwarded.`));
    return;
  }
  // A service worker registered from a device's answer would control the tunnel's path in
  // browsers; the device never serves one through the relay.
  if (req.headers['service-worker'] !== undefined) {
    next(new DiscoError('ERR_NOT_FOUND', 'No service workers through the tunnel.'));
    return;
  }
  res.locals.path = path;
  next();
};

/**
 * A device that is not there is answered before its body is read (issue #12.10: the relay
 * used to take in up to 8 MiB for a device that does not exist).
 */
function checkDevice(ctx: RelayContext): RequestHandler {
  return (req, res, next) => {
    const peerId = req.params.peerId!;
    const refuse = (err: DiscoError, reason: string) => {
      ctx.logger.log('info', 'tunnel.request', {
        peer_id: peerId,
        method: req.method,
        path: (res.locals.path as string).split('?')[0],
        outcome: err.code,
        reason,
      });
      refuseUnread(req, res, err);
    };
    const decide = (online: boolean) => {
      if (online) next();
      else
        refuse(
          new DiscoError('ERR_DEVICE_UNREACHABLE', 'The device is not online.'),
          'not connected to this relay',
        );
    };
    const online = ctx.isDeviceOnline(peerId);
    // a cluster asks its directory (issue #14); one process answers at once
    if (typeof online === 'boolean') decide(online);
    else
      online.then(decide, (err: unknown) =>
        refuse(
          isDiscoError(err)
            ? err
            : new DiscoError('ERR_RELAY_STORE_UNAVAILABLE', 'The directory cannot be read.'),
          'directory unavailable',
        ),
      );
  };
}

/** Rejects when `signal` aborts, so a link that ignores the signal cannot hold the request. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    const fail = () =>
      reject(new DiscoError('ERR_DEVICE_UNREACHABLE', 'The device did not answer in time.'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

function forward(ctx: RelayContext): RequestHandler {
  const { config, logger, lifecycle } = ctx;
  return (req, res, next) => {
    const peerId = req.params.peerId!;
    const started = Date.now();
    let reason: string | undefined;
    const raw =
      Buffer.isBuffer(req.body) && req.body.length > 0 ? new Uint8Array(req.body) : undefined;
    const body = raw && config.tamperForTests ? tamperBody(raw) : raw;
    const request: TunnelRequest = {
      method: req.method,
      path: res.locals.path as string,
      headers: forwardedHeaders(req.headers),
      ...(body ? { body } : {}),
    };
    const work = lifecycle.work(config.tunnelTimeoutMs, res);
    const signal = work.signal;
    const answer: Promise<TunnelResponse> = Promise.race([
      Promise.resolve().then(() => config.deviceLink.request(peerId, request, signal)),
      untilAborted(signal),
    ]);
    const done = answer
      .then((response) => {
        if (!Number.isInteger(response.status) || response.status < 200 || response.status > 599)
          throw new DiscoError('ERR_RESPONSE_UNTRUSTED', 'The device answered an invalid status.');
        res
          .status(response.status)
          .set({
            'content-type': responseContentType(response.headers),
            'cache-control': 'no-store',
            'x-content-type-options': 'nosniff',
            'content-security-policy': "sandbox; default-src 'none'",
          })
          .end(Buffer.from(response.body));
        return response.status;
      })
      .catch((err: unknown) => {
        // why the link could not reach the device (its own words: which WebRTC attempts failed
        // how), for operators; never messages of other errors, which may quote input
        if (isDiscoError(err) && LINK_FAILURES.has(err.code)) reason = err.message.slice(0, 300);
        if (work.clientGone()) return 499;
        const unreachable = isDiscoError(err) && err.code === 'ERR_ABORTED';
        next(
          unreachable
            ? new DiscoError('ERR_DEVICE_UNREACHABLE', 'The device did not answer in time.')
            : err,
        );
        return isDiscoError(err) ? err.code : 'ERR_INTERNAL';
      })
      .then((outcome) => {
        logger.log('info', 'tunnel.request', {
          peer_id: peerId,
          method: req.method,
          path: request.path.split('?')[0],
          outcome,
          ms: Date.now() - started,
          bytes_in: body?.length ?? 0,
          tampered: config.tamperForTests && body !== undefined,
          ...(reason === undefined ? {} : { reason }),
        });
      }, next);
    lifecycle.track(done.finally(() => work.done()));
  };
}

/**
 * `ALL /p/<peer id>/disco/…`: a plain HTTP request from an RP, carried to the device over its
 * DeviceLink and answered with the device's status, content type and body (`no-store`, and
 * sandboxed so a hostile device cannot run script on the relay's origin). Bodies up to
 * TUNNEL_MAX_BODY_BYTES (413 beyond), within the upload budgets and time (`guardUpload`); an
 * absent or silent device is `504 ERR_DEVICE_UNREACHABLE`, an absent one before its body is read.
 */
export function tunnelRoutes(ctx: RelayContext): Router {
  const { config } = ctx;
  const limits = {
    bytesPerAddress: config.tunnelBodyBytesPerAddress,
    bytes: config.tunnelBodyBytes,
    timeoutMs: config.tunnelBodyTimeoutMs,
  };
  const router = express.Router();
  router.use('/p', cors);
  router.all(
    '/p/:peerId/*',
    checkRequest,
    checkDevice(ctx),
    guardUpload(new UploadBudget(limits), limits),
    express.raw({ type: () => true, limit: TUNNEL_MAX_BODY_BYTES }),
    forward(ctx),
  );
  return router;
}
