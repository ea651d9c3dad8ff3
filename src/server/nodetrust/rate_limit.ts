import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { DiscoError } from '../../protocol/errors/index.js';
import { sendError } from '../relay/http_errors.js';
import { addressKey } from '../relay/rate_limits.js';

/** Requests per client address (IPv4, or IPv6 /56) and minute; 0 turns a limit off. */
export interface NodetrustRateLimits {
  /** Proof server calls (two per proof). */
  readonly proofPerMinute?: number;
  /** Issue requests; each may start an ACME order, which the CA rate-limits in turn. */
  readonly issuePerMinute?: number;
}

export const DEFAULT_RATE_LIMITS: Required<NodetrustRateLimits> = {
  proofPerMinute: 60,
  issuePerMinute: 20,
};

/** A per-address limiter (express-rate-limit, the relay's address key) answering ERR_RATE_LIMITED. */
export function perAddress(limit: number): RequestHandler {
  if (limit <= 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: 60_000,
    limit,
    keyGenerator: (req) => addressKey(req.socket.remoteAddress),
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    validate: { xForwardedForHeader: false },
    handler: (_req, res) => {
      sendError(res, new DiscoError('ERR_RATE_LIMITED', 'Too many requests; try again later.'));
    },
  });
}
