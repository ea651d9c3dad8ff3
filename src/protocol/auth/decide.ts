import { DiscoError, isDiscoError } from '../errors/index.js';
import type { WriteOp } from '../storage/store.js';
import type { AuthContext } from './context.js';
import { commit } from './commit.js';
import { complete } from './complete.js';
import { sealResponse } from './device_response.js';
import { newId } from './ids.js';
import {
  COLLECTIONS,
  type ActivityRecord,
  type ClientRecord,
  type PendingRecord,
  type RuleRecord,
} from './records.js';

export interface Decision {
  approve: boolean;
  /** "Always allow this client this scope" (not for register). */
  remember?: boolean;
  by: 'person' | 'rule';
}

/** The certificate the answer is sealed to: the requesting client's. */
async function recipientPem(p: PendingRecord, ctx: AuthContext): Promise<string> {
  if (p.kind === 'register') return (p.work as { certificatePem: string }).certificatePem;
  const c = await ctx.store.get<ClientRecord>(COLLECTIONS.clients, p.client.clientId);
  if (!c) throw new DiscoError('ERR_CLIENT_REVOKED', 'This client was removed.');
  return c.certificatePem;
}

/** A decision worked out, nothing written yet. */
export interface Settled {
  /** The request as decided: approved with its sealed answer, or denied. */
  record: PendingRecord;
  /** What carrying it out writes: grant, key B record or client, activity record, rule. */
  ops: WriteOp[];
  /** Approved but no longer possible (e.g. its grant was withdrawn): recorded as denied. */
  error?: DiscoError;
}

/**
 * Works out the person's (or a rule's) answer to a request without writing anything, so the
 * caller writes it in one transaction with whatever else must land with it (the request's own
 * replay guards when a rule answers at once; the pending record when the person answers).
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
  const log = (a: ActivityRecord): WriteOp => ({
    op: 'put',
    collection: COLLECTIONS.activity,
    key: `${String(a.at).padStart(15, '0')}-${a.id}`,
    value: a,
  });
  const denied: PendingRecord = { ...p, status: 'denied', decidedBy: decision.by };

  if (!decision.approve) return { record: denied, ops: [log(activity)] };
  let done;
  try {
    done = await complete(p, ctx);
  } catch (err) {
    if (!isDiscoError(err) || err.kind === 'internal') throw err;
    return { record: denied, ops: [log({ ...activity, outcome: 'denied' })], error: err };
  }
  const cert = await ctx.certificates.parse(await recipientPem(p, ctx));
  const response = await sealResponse(
    done.result,
    { clientId: p.client.clientId, cert, inResponseTo: (p.work as { jti: string }).jti },
    ctx,
  );
  const ops: WriteOp[] = [
    ...done.ops,
    log({ ...activity, ...(done.fields ? { fields: done.fields } : {}) }),
  ];
  if (decision.remember && p.kind !== 'register') {
    const rule: RuleRecord = {
      id: newId(ctx.random),
      clientId: p.client.clientId,
      kind: p.kind,
      scope: p.scope,
      ...(p.kind === 'key_b' && p.audience
        ? { audience: p.audience.clientId, audienceThumbprint: p.audience.thumbprint }
        : {}),
      createdAt: now,
    };
    ops.push({ op: 'put', collection: COLLECTIONS.rules, key: rule.id, value: rule });
  }
  return {
    record: { ...p, status: 'approved', response, decidedBy: decision.by },
    ops,
  };
}

/**
 * The person's answer to a pending request. Approving carries the request out, seals the answer
 * for the client, logs the activity and, when asked, stores a rule; denying records the refusal.
 * Either way it is one transaction, written only if the request is still pending then: of two
 * racing decisions one lands, the other gets `ERR_CONSENT_DECIDED`. A request that can no longer
 * be carried out (its grant was revoked meanwhile) is recorded as denied and the reason thrown.
 */
export async function decide(
  id: string,
  decision: Decision,
  ctx: AuthContext,
): Promise<PendingRecord> {
  const p = await ctx.store.get<PendingRecord>(COLLECTIONS.pending, id);
  if (!p) throw new DiscoError('ERR_CONSENT_UNKNOWN', 'This request no longer exists.');
  if (p.status !== 'pending') throw alreadyDecided();
  if (ctx.clock.now() >= p.expiresAt)
    throw new DiscoError('ERR_CONSENT_EXPIRED', 'This request expired before it was answered.');
  const s = await settle(p, decision, ctx);
  await commit(
    [
      { op: 'expect', collection: COLLECTIONS.pending, key: id, where: { status: 'pending' } },
      { op: 'put', collection: COLLECTIONS.pending, key: id, value: s.record },
      ...s.ops,
    ],
    ctx,
    alreadyDecided,
  );
  if (s.error) throw s.error;
  return s.record;
}

const alreadyDecided = (): DiscoError =>
  new DiscoError('ERR_CONSENT_DECIDED', 'This request was already answered.');
