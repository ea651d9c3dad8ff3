import { DiscoError, isDiscoError } from '../errors/index.js';
import type { WriteOp } from '../storage/store.js';
import { complete } from './complete.js';
import { ruleFrom } from './consent_rule.js';
import type { AuthContext } from './context.js';
import { newId } from './ids.js';
import { COLLECTIONS, type ActivityRecord, type PendingRecord } from './records.js';
import { sealFor } from './response_sealing.js';

export interface Decision {
  approve: boolean;
  /** "Always allow this client this scope" (not for register). */
  remember?: boolean;
  by: 'person' | 'rule';
}

/** A decision worked out, nothing written yet. */
export interface Settled {
  /** The request as decided: approved with its sealed answer, or denied. */
  record: PendingRecord;
  /** What carrying it out writes: grant, key B record or client, activity record, rule. */
  ops: WriteOp[];
  /** Approved but no longer possible (e.g. its grant was withdrawn): recorded as denied. */
  error?: DiscoError;
  /** `ops` again from a fresh read, when the write lost a race (Completion's `rebase`). */
  rebase?: () => Promise<WriteOp[]>;
}

/** The activity log's line for `a`, keyed so the log lists in time order. */
export const logOp = (a: ActivityRecord): WriteOp => ({
  op: 'put',
  collection: COLLECTIONS.activity,
  key: `${String(a.at).padStart(15, '0')}-${a.id}`,
  value: a,
});

/**
 * Works out the person's (or a rule's) answer to a request without writing anything, so the
 * caller writes it in one transaction with whatever else must land with it (the request's own
 * replay guards when a rule answers at once, consent.ts; the pending record when the person
 * answers, decide.ts). Approving carries the request out (complete.ts), seals the answer
 * (response_sealing.ts), logs it and, when asked, makes a rule (consent_rule.ts).
 */
export async function settle(
  p: PendingRecord,
  decision: Decision,
  ctx: AuthContext,
): Promise<Settled> {
  const now = ctx.clock.now();
  const activity: ActivityRecord = {
    id: newId(ctx.random),
    at: now,
    kind: p.kind,
    outcome: decision.approve ? 'approved' : 'denied',
    decidedBy: decision.by,
    clientId: p.client.clientId,
    clientName: p.client.clientName,
    scope: p.scope,
    ...(p.grantId ? { grantId: p.grantId } : {}),
    ...(p.via ? { via: p.via.clientId } : {}),
    ...(p.audience ? { audience: p.audience.clientId } : {}),
  };
  const denied: PendingRecord = { ...p, status: 'denied', decidedBy: decision.by };

  if (!decision.approve) return { record: denied, ops: [logOp(activity)] };
  let done;
  try {
    done = await complete(p, ctx);
  } catch (err) {
    if (!isDiscoError(err) || err.kind === 'internal') throw err;
    return { record: denied, ops: [logOp({ ...activity, outcome: 'denied' })], error: err };
  }
  const response = await sealFor(p, done.result, ctx);
  const rest: WriteOp[] = [logOp({ ...activity, ...(done.fields ? { fields: done.fields } : {}) })];
  const rule = decision.remember ? ruleFrom(p, now, ctx.random) : undefined;
  if (rule) rest.push({ op: 'put', collection: COLLECTIONS.rules, key: rule.id, value: rule });
  const rebase = done.rebase;
  return {
    record: { ...p, status: 'approved', response, decidedBy: decision.by },
    ops: [...done.ops, ...rest],
    ...(rebase ? { rebase: async () => [...(await rebase()), ...rest] } : {}),
  };
}
