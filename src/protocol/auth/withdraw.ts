import { DiscoError } from '../errors/index.js';
import { json, type Answer } from './answers.js';
import type { ClientRequest } from './client_request.js';
import { commit } from './commit.js';
import type { AuthContext } from './context.js';
import { newId } from './ids.js';
import { COLLECTIONS, type ActivityRecord, type PendingRecord } from './records.js';
import { logOp } from './settle.js';

const alreadyDecided = (): DiscoError =>
  new DiscoError(
    'ERR_CONSENT_DECIDED',
    'The person answered this request already: the decision stands. Poll for it.',
  );

/**
 * Withdraw (issue #16, docs/wire/engine.md "Withdraw"): the company no longer wants the answer to
 * a request still waiting for the person (its caller gave up: abort, timeout). The request is
 * the poll's own with `withdraw: true`, and poll.ts authenticates it exactly as a poll before
 * handing `p` here: only the client that may collect the answer may withdraw it; anyone else
 * gets the poll's `ERR_CONSENT_UNKNOWN`, a replay `ERR_REQUEST_REPLAYED` (its `jti` is spent
 * with it). A request the person already answered cannot be withdrawn
 * (`ERR_CONSENT_DECIDED`, the decision stands): the record goes only if it is still pending when
 * written, in one transaction with the activity line "withdrawn by the company", so of a click
 * and a withdraw at the same moment exactly one lands. Then the person's open pages are told
 * (the card goes) and any held poll for it wakes.
 */
export async function withdraw(
  req: ClientRequest,
  p: PendingRecord,
  ctx: AuthContext,
): Promise<Answer> {
  if (p.status !== 'pending') throw alreadyDecided();
  const id = p.id;
  const activity: ActivityRecord = {
    id: newId(ctx.random),
    at: ctx.clock.now(),
    kind: p.kind,
    outcome: 'withdrawn',
    decidedBy: 'company',
    clientId: p.client.clientId,
    clientName: p.client.clientName,
    scope: p.scope,
    ...(p.grantId ? { grantId: p.grantId } : {}),
    ...(p.via ? { via: p.via.clientId } : {}),
    ...(p.audience ? { audience: p.audience.clientId } : {}),
  };
  await commit(
    [
      ...req.seen,
      { op: 'expect', collection: COLLECTIONS.pending, key: id, where: { status: 'pending' } },
      { op: 'delete', collection: COLLECTIONS.pending, key: id },
      logOp(activity),
    ],
    ctx,
    alreadyDecided,
  );
  ctx.withdrawn?.(p);
  ctx.decisions?.decided(id);
  return json(200, { status: 'withdrawn', auth_req_id: id });
}

/** The `withdraw` claim: absent, or `true`. */
export function isWithdraw(claim: unknown): boolean {
  if (claim === undefined) return false;
  if (claim !== true) throw new DiscoError('ERR_REQUEST_MALFORMED', 'withdraw must be true.');
  return true;
}
