import { DiscoError } from '../errors/index.js';
import { json, type EngineResponse } from '../engine/types.js';
import { toWire } from '../errors/index.js';
import type { WriteOp } from '../storage/store.js';
import type { AuthContext } from './context.js';
import type { ClientRequest } from './client_request.js';
import { newId } from './ids.js';
import { POLICY } from './policy.js';
import { COLLECTIONS, type PendingRecord } from './records.js';

type NewPending = Omit<PendingRecord, 'id' | 'status' | 'createdAt' | 'expiresAt' | 'lastPollAt'>;

export function makePending(fields: NewPending, ctx: AuthContext): PendingRecord {
  const now = ctx.clock.now();
  return {
    ...fields,
    id: newId(ctx.random),
    status: 'pending',
    createdAt: now,
    expiresAt: now + POLICY.pendingTtlSeconds * 1000,
    lastPollAt: now,
  };
}

/** The "ask again later" answer (RFC 8628 §3.5, OpenID CIBA §7.3 / §11). */
export function pendingAnswer(
  p: PendingRecord,
  now: number,
  code: 'ERR_AUTHORIZATION_PENDING' | 'ERR_SLOW_DOWN' = 'ERR_AUTHORIZATION_PENDING',
): EngineResponse {
  const message =
    code === 'ERR_SLOW_DOWN'
      ? 'Poll less often.'
      : 'Waiting for the person to answer on their device.';
  const { status, body } = toWire(new DiscoError(code, message));
  return json(status, {
    ...body,
    auth_req_id: p.id,
    interval: POLICY.pollIntervalSeconds,
    expires_in: Math.max(0, Math.ceil((p.expiresAt - now) / 1000)),
  });
}

/** The sealed answer of a decided request. */
export function sealedAnswer(envelope: string): EngineResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/jose', 'cache-control': 'no-store' },
    body: envelope,
  };
}

/**
 * A client polls for the outcome of its request (`auth_req_id` in a fresh signed request). Only
 * the client that asked may poll. Approved or denied: the answer is handed over once and the
 * record deleted. Polling faster than the interval → `slow_down`.
 */
export async function poll(req: ClientRequest, ctx: AuthContext): Promise<EngineResponse> {
  const id = req.claims.auth_req_id;
  const p =
    typeof id === 'string' && id.length <= 64
      ? await ctx.store.get<PendingRecord>(COLLECTIONS.pending, id)
      : undefined;
  if (
    !p ||
    p.client.certificate.thumbprint !== req.cert.thumbprint ||
    (req.client && p.client.clientId !== req.client.clientId)
  ) {
    throw new DiscoError('ERR_CONSENT_UNKNOWN', 'No such request is waiting for this client.');
  }
  const now = ctx.clock.now();
  const del: WriteOp = { op: 'delete', collection: COLLECTIONS.pending, key: p.id };
  if (p.status === 'approved' && p.response) {
    await ctx.store.write([...req.seen, del]);
    return sealedAnswer(p.response);
  }
  if (p.status === 'denied') {
    await ctx.store.write([...req.seen, del]);
    throw new DiscoError('ERR_ACCESS_DENIED', 'The person refused this request.');
  }
  if (now >= p.expiresAt) {
    await ctx.store.write([...req.seen, del]);
    throw new DiscoError('ERR_CONSENT_EXPIRED', 'The person did not answer in time. Ask again.');
  }
  const tooSoon = now - p.lastPollAt < POLICY.pollIntervalSeconds * 1000 * 0.5;
  await ctx.store.write([
    ...req.seen,
    { op: 'put', collection: COLLECTIONS.pending, key: p.id, value: { ...p, lastPollAt: now } },
  ]);
  return pendingAnswer(p, now, tooSoon ? 'ERR_SLOW_DOWN' : 'ERR_AUTHORIZATION_PENDING');
}
