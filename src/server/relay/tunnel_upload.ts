import type { Request, RequestHandler, Response } from 'express';
import { DiscoError } from '../../protocol/errors/index.js';
import { TUNNEL_MAX_BODY_BYTES } from '../../protocol/tunnel/index.js';
import { sendError } from './http_errors.js';
import { addressKey } from './rate_limits.js';

/** How much of the tunnel's request bodies the relay holds at once, and for how long it waits. */
export interface UploadLimits {
  /** Body bytes in flight from one client address (IPv4, IPv6 /56). */
  readonly bytesPerAddress: number;
  /** Body bytes in flight on the whole relay. */
  readonly bytes: number;
  /** The whole body must arrive within this time of the request head. */
  readonly timeoutMs: number;
}

/**
 * Body bytes reserved by uploads in flight, per address and overall. A body is held from its
 * first byte until its answer is sent (it travels to the device meanwhile), so the reservation
 * lasts as long.
 */
export class UploadBudget {
  #bytes = 0;
  readonly #byAddress = new Map<string, number>();

  constructor(private readonly limits: UploadLimits) {}

  /** Reserves `bytes` for `address`, or says whose bound it would pass. */
  take(address: string, bytes: number): 'ok' | 'address' | 'relay' {
    const mine = this.#byAddress.get(address) ?? 0;
    if (mine + bytes > this.limits.bytesPerAddress) return 'address';
    if (this.#bytes + bytes > this.limits.bytes) return 'relay';
    this.#byAddress.set(address, mine + bytes);
    this.#bytes += bytes;
    return 'ok';
  }

  give(address: string, bytes: number): void {
    const left = (this.#byAddress.get(address) ?? 0) - bytes;
    if (left > 0) this.#byAddress.set(address, left);
    else this.#byAddress.delete(address);
    this.#bytes -= bytes;
  }
}

/** The body length a request announces: bytes, `chunked` (unknown), or null when malformed. */
function announced(req: Request): number | 'chunked' | null {
  if (req.headers['transfer-encoding'] !== undefined) return 'chunked';
  const length = req.headers['content-length'];
  if (length === undefined) return 0;
  return /^\d{1,15}$/.test(length) ? Number(length) : null;
}

/**
 * Refuses a request whose body is not read: `connection: close`, and the socket is dropped once
 * the answer is out, so that Node does not read (and wait for) the rest of the body to keep
 * the connection alive.
 */
export function refuseUnread(req: Request, res: Response, err: DiscoError): void {
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  res.set('connection', 'close');
  res.once('finish', () => req.socket.destroy());
  sendError(res, err);
}

/**
 * Before any body is read (issue #12.10): a length over TUNNEL_MAX_BODY_BYTES is `413`; the
 * announced length (8 MiB for a chunked body, whose length is unknown) is reserved from the
 * address's budget (`429 ERR_RATE_LIMITED` beyond) and the relay's (`503 ERR_RELAY_BUSY`);
 * a body that has not fully arrived within `timeoutMs` is `408 ERR_REQUEST_TIMEOUT` and its
 * connection dropped, instead of Node's 300 s.
 */
export function guardUpload(budget: UploadBudget, limits: UploadLimits): RequestHandler {
  return (req, res, next) => {
    const length = announced(req);
    if (length === 0) {
      next();
      return;
    }
    if (length === null) {
      refuseUnread(req, res, new DiscoError('ERR_INVALID_INPUT', 'Bad content-length.'));
      return;
    }
    if (length !== 'chunked' && length > TUNNEL_MAX_BODY_BYTES) {
      refuseUnread(req, res, new DiscoError('ERR_TOO_LARGE', 'The request body is too large.'));
      return;
    }
    const bytes = length === 'chunked' ? TUNNEL_MAX_BODY_BYTES : length;
    const address = addressKey(req.ip);
    const verdict = budget.take(address, bytes);
    if (verdict !== 'ok') {
      refuseUnread(
        req,
        res,
        verdict === 'address'
          ? new DiscoError('ERR_RATE_LIMITED', 'Too many uploads from this address; try again.')
          : new DiscoError('ERR_RELAY_BUSY', 'The relay is busy; try again.'),
      );
      return;
    }
    const timer = setTimeout(() => {
      if (!req.complete)
        refuseUnread(req, res, new DiscoError('ERR_REQUEST_TIMEOUT', 'The body came too slowly.'));
    }, limits.timeoutMs);
    req.once('end', () => clearTimeout(timer));
    res.once('close', () => {
      clearTimeout(timer);
      budget.give(address, bytes);
    });
    next();
  };
}
