import { DiscoError } from '../errors/index.js';
import type { WriteOp } from '../storage/store.js';
import { pendingAnswer, sealedAnswer, type Answer } from './answers.js';
import { checkRegisterSecret } from './client_secret.js';
import type { AuthEndpoint, ClientRequest } from './client_request.js';
import { commit } from './commit.js';
import type { AuthContext } from './context.js';
import { POLICY } from './policy.js';
import { COLLECTIONS, type ConsentKind, type PendingRecord } from './records.js';
import { consentUnknown } from './refusals.js';
import { refuseIfReplayed } from './replay.js';
import { isWithdraw, withdraw } from './withdraw.js';

/** Which kinds of request each endpoint answers polls for: a poll goes where its request went. */
const POLLED_AT: Record<AuthEndpoint, readonly ConsentKind[]> = {
  register: ['register'],
  authorize: ['key_a', 'key_b'],
  data: ['data'],
};

/**
 * Whose poll it is: only the client that asked, with the certificate it asked with, at the
 * endpoint it asked at. A registered client's secret was checked by its endpoint; a register
 * request has no client yet, so its poll comes from no registered client. Every refusal here is
 * the same `ERR_CONSENT_UNKNOWN`: a stranger learns nothing of other clients' requests.
 */
const isTheAsker = (p: PendingRecord, r: ClientRequest, endpoint: AuthEndpoint): boolean =>
  POLLED_AT[endpoint].includes(p.kind) &&
  p.client.certificate.thumbprint === r.cert.thumbprint &&
  p.client.clientId === r.claims.iss &&
  (p.kind === 'register' ? r.client === undefined : p.client.clientId === r.client?.clientId);

/** How long a collected answer can be collected again by its own client (lost on the way). */
const COLLECTED_KEEP_MS = 60_000;

/** The `wait` claim of a long-poll: whole seconds, 1 to POLICY.longPollSeconds; 0 when absent. */
function longPollSeconds(wait: unknown): number {
  if (wait === undefined) return 0;
  if (
    typeof wait !== 'number' ||
    !Number.isInteger(wait) ||
    wait < 1 ||
    wait > POLICY.longPollSeconds
  )
    throw new DiscoError(
      'ERR_REQUEST_MALFORMED',
      `wait must be a whole number of seconds from 1 to ${POLICY.longPollSeconds}.`,
    );
  return wait;
}

/** Precondition op: the pending record is still in the state it was read in. */
const unchanged = (p: PendingRecord): WriteOp => ({
  op: 'expect',
  collection: COLLECTIONS.pending,
  key: p.id,
  where: { status: p.status },
});

/**
 * Poll by `auth_req_id` (RFC 8628 §3.4–3.5, OpenID CIBA §7.3): the client asks for the outcome
 * of its request in a fresh signed request (with `withdraw: true`, it gives the request up:
 * withdraw.ts). Approved or denied, the answer is handed over once:
 * taking it and deleting the record are one conditional write (`expect`), so of two racing polls
 * one gets it. Polling faster than the interval → `slow_down`.
 */
export async function poll(
  req: ClientRequest,
  endpoint: AuthEndpoint,
  ctx: AuthContext,
): Promise<Answer> {
  // A poll replayed after the answer was taken finds no record; say what it is.
  await refuseIfReplayed(req.seen, ctx);
  const id = req.claims.auth_req_id as string;
  const waitSeconds = longPollSeconds(req.claims.wait);
  const withdrawing = isWithdraw(req.claims.withdraw);
  let p = await ctx.store.get<PendingRecord>(COLLECTIONS.pending, id);
  if (!p || !isTheAsker(p, req, endpoint)) throw consentUnknown();
  if (p.work.kind === 'register') await checkRegisterSecret(req, p.work.secretHash);
  // The asker gives up: the same authentication as its poll, then withdraw.ts.
  if (withdrawing) return withdraw(req, p, ctx);

  // Long-poll: a poll that sends `wait` is held until the person decides (or `wait` runs out).
  const held = waitSeconds > 0 && ctx.decisions?.holding() === true && p.status === 'pending';
  if (held) {
    const left = p.expiresAt - ctx.clock.now();
    if (left > 0) {
      // Subscribe, then look again: a decision written after the read above and before the
      // subscription wakes nobody, and its poll would sit out the whole hold (issue #16: a held
      // poll of a data release "never woke" in the browser run: the click came as it arrived).
      const stop = new AbortController();
      const woken = ctx.decisions!.wait(p.id, Math.min(waitSeconds * 1000, left), stop.signal);
      const again = await ctx.store.get<PendingRecord>(COLLECTIONS.pending, id);
      if (again?.status !== 'pending') stop.abort();
      await woken;
    }
    p = await ctx.store.get<PendingRecord>(COLLECTIONS.pending, id);
    if (!p) throw consentUnknown(); // a concurrent poll took the answer, or it was withdrawn
  }
  const now = ctx.clock.now();
  const decided = p;
  // Collected answers stay for COLLECTED_KEEP_MS, for this same client only: an answer lost on
  // its way back (the page that carried it reloaded) is collected again — the same sealed bytes,
  // never a second grant or release. Then the record goes.
  if (decided.collectedAt !== undefined && now - decided.collectedAt > COLLECTED_KEEP_MS) {
    await commit(
      [...req.seen, { op: 'delete', collection: COLLECTIONS.pending, key: decided.id }],
      ctx,
      consentUnknown,
    );
    throw consentUnknown();
  }
  const take = (): Promise<void> =>
    commit(
      [
        ...req.seen,
        unchanged(decided),
        {
          op: 'put',
          collection: COLLECTIONS.pending,
          key: decided.id,
          value: { ...decided, collectedAt: decided.collectedAt ?? now },
        },
      ],
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
  // A held poll waited its turn: only a quick one is polling too often.
  const tooSoon = !held && now - p.lastPollAt < POLICY.pollIntervalSeconds * 1000 * 0.5;
  const stillPending = pendingAnswer(
    p,
    now,
    tooSoon ? 'ERR_SLOW_DOWN' : 'ERR_AUTHORIZATION_PENDING',
    ctx.decisions?.holding() === true,
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
