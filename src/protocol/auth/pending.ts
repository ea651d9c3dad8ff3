import { DiscoError } from '../errors/index.js';
import { json, type EngineResponse } from '../engine/types.js';
import { toWire } from '../errors/index.js';
import type { WriteOp } from '../storage/store.js';
import type { AuthContext } from './context.js';
import { consentUnknown, type AuthEndpoint, type ClientRequest } from './client_request.js';
import { commit, replayedRequest } from './commit.js';
import { newId, sha256b64u } from './ids.js';
import { POLICY } from './policy.js';
import { COLLECTIONS, type ConsentKind, type PendingRecord } from './records.js';

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

/** Which kinds of request each endpoint answers polls for: a poll goes where its request went. */
const POLLED_AT: Record<AuthEndpoint, readonly ConsentKind[]> = {
  register: ['register'],
  authorize: ['key_a', 'key_b'],
  data: ['data'],
};

/** Precondition op: the pending record is still in the state it was read in. */
function unchanged(p: PendingRecord): WriteOp {
  return { op: 'expect', collection: COLLECTIONS.pending, key: p.id, where: { status: p.status } };
}

/**
 * A client polls for the outcome of its request (`auth_req_id` in a fresh signed request), on
 * the endpoint it asked at. Only the client that asked may poll: a registered client (secret
 * checked by the endpoint) with the certificate it asked with, or, for a register request, the
 * certificate that asked, with the secret it registers. Approved or denied: the answer is handed over once — taking it and
 * deleting the record are one conditional write, so of two racing polls one gets it. Polling
 * faster than the interval → `slow_down`.
 */
export async function poll(
  req: ClientRequest,
  endpoint: AuthEndpoint,
  ctx: AuthContext,
): Promise<EngineResponse> {
  // A poll replayed after the answer was taken finds no record; say what it is.
  for (const guard of req.seen) {
    if ((await ctx.store.get(guard.collection, guard.key)) !== undefined) throw replayedRequest();
  }
  const id = req.claims.auth_req_id as string;
  const p = await ctx.store.get<PendingRecord>(COLLECTIONS.pending, id);
  if (
    !p ||
    !POLLED_AT[endpoint].includes(p.kind) ||
    p.client.certificate.thumbprint !== req.cert.thumbprint ||
    p.client.clientId !== req.claims.iss ||
    (p.kind === 'register' ? req.client !== undefined : p.client.clientId !== req.client?.clientId)
  ) {
    throw consentUnknown();
  }
  // A register poll has no client record yet: the secret is the one its request chose.
  if (p.kind === 'register') {
    const secret = typeof req.claims.client_secret === 'string' ? req.claims.client_secret : '';
    if ((await sha256b64u(secret)) !== p.work.secretHash)
      throw new DiscoError('ERR_CLIENT_SECRET', 'The client secret is wrong.');
  }
  const now = ctx.clock.now();
  const take = (): Promise<void> =>
    commit(
      [...req.seen, unchanged(p), { op: 'delete', collection: COLLECTIONS.pending, key: p.id }],
      ctx,
      consentUnknown,
    );
  if (p.status === 'approved' && p.response) {
    await take();
    return sealedAnswer(p.response);
  }
  if (p.status === 'denied') {
    await take();
    throw new DiscoError('ERR_ACCESS_DENIED', 'The person refused this request.');
  }
  if (now >= p.expiresAt) {
    await take();
    throw new DiscoError('ERR_CONSENT_EXPIRED', 'The person did not answer in time. Ask again.');
  }
  const tooSoon = now - p.lastPollAt < POLICY.pollIntervalSeconds * 1000 * 0.5;
  const stillPending = pendingAnswer(
    p,
    now,
    tooSoon ? 'ERR_SLOW_DOWN' : 'ERR_AUTHORIZATION_PENDING',
  );
  const decidedMeanwhile = new DiscoError('ERR_CONSENT_DECIDED', 'Decided meanwhile.');
  try {
    await commit(
      [
        ...req.seen,
        unchanged(p),
        { op: 'put', collection: COLLECTIONS.pending, key: p.id, value: { ...p, lastPollAt: now } },
      ],
      ctx,
      () => decidedMeanwhile,
    );
  } catch (err) {
    // Decided between the read and the write: "not yet", and the next poll collects it.
    if (err !== decidedMeanwhile) throw err;
  }
  return stillPending;
}
