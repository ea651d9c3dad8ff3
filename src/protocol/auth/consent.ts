import type { WriteOp } from '../storage/store.js';
import { pendingAnswer, sealedAnswer, type Answer } from './answers.js';
import { commit } from './commit.js';
import { findRule } from './consent_rule.js';
import type { AuthContext } from './context.js';
import { newId } from './ids.js';
import { POLICY } from './policy.js';
import { COLLECTIONS, type ClientRecord, type PendingRecord } from './records.js';
import { replayedRequest } from './replay.js';
import { settle } from './settle.js';

/** A request for the person, as an operation describes it (its kind is its work's). */
export type NewPending = Omit<
  PendingRecord,
  'id' | 'kind' | 'status' | 'createdAt' | 'expiresAt' | 'lastPollAt'
>;

/**
 * Files a new consent request. When one of the person's rules covers it (consent_rule.ts), it is
 * decided at once: its guards, what it carries out and its activity record land in one
 * transaction, and no pending record is written. Otherwise it is stored as pending with its
 * guards (the person is notified) and the client told to poll (poll.ts).
 */
export async function ask(
  fields: NewPending,
  guards: readonly WriteOp[],
  ctx: AuthContext,
): Promise<Answer> {
  const now = ctx.clock.now();
  const p: PendingRecord = {
    kind: fields.work.kind,
    ...fields,
    id: newId(ctx.random),
    status: 'pending',
    createdAt: now,
    expiresAt: now + POLICY.pendingTtlSeconds * 1000,
    lastPollAt: now,
  };
  const rule = await findRule(ctx.store, p);
  if (!rule) {
    await commit(
      [...guards, { op: 'add', collection: COLLECTIONS.pending, key: p.id, value: p }],
      ctx,
      replayedRequest,
    );
    ctx.notify?.(p);
    return pendingAnswer(p, ctx.clock.now(), 'ERR_AUTHORIZATION_PENDING', !!ctx.decisions);
  }
  const s = await settle(p, { approve: true, by: 'rule' }, ctx);
  await commit([...guards, ...s.ops], ctx, replayedRequest);
  if (s.error) throw s.error;
  return sealedAnswer(s.record.response!);
}

/** Who asks, as the person sees it: a registered client. */
export const asker = (c: ClientRecord): PendingRecord['client'] => ({
  clientId: c.clientId,
  clientName: c.clientName,
  isTrusted: c.isTrusted,
  certificate: c.certificate,
});
