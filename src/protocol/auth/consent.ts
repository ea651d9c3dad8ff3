import { DiscoError, isDiscoError } from '../errors/index.js';
import type { WriteOp } from '../storage/store.js';
import { pendingAnswer, sealedAnswer, type Answer } from './answers.js';
import { commit, MAX_ATTEMPTS } from './commit.js';
import { findRule } from './consent_rule.js';
import type { AuthContext } from './context.js';
import { newId } from './ids.js';
import { POLICY } from './policy.js';
import { COLLECTIONS, type ClientRecord, type PendingRecord } from './records.js';
import { REQUEST_GUARD_PREFIX, replayedRequest } from './replay.js';
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
    try {
      await commit(
        [
          ...filedBy(guards, p.id),
          { op: 'add', collection: COLLECTIONS.pending, key: p.id, value: p },
        ],
        ctx,
        replayedRequest,
      );
    } catch (err) {
      // The same request sent again (its answer was lost: the device blinked, the company's
      // connection broke) is answered as the first time, and files nothing new.
      const filed =
        isDiscoError(err, 'ERR_REQUEST_REPLAYED') && (await sameRequest(guards, p, ctx));
      if (!filed) throw err;
      return pendingAnswer(
        filed,
        ctx.clock.now(),
        'ERR_AUTHORIZATION_PENDING',
        ctx.decisions?.holding() === true,
      );
    }
    ctx.notify?.(p);
    return pendingAnswer(
      p,
      ctx.clock.now(),
      'ERR_AUTHORIZATION_PENDING',
      ctx.decisions?.holding() === true,
    );
  }
  const s = await settle(p, { approve: true, by: 'rule' }, ctx);
  let ops = s.ops;
  for (let attempt = 1; ; attempt++) {
    try {
      await commit([...guards, ...ops], ctx, grantMoved);
      break;
    } catch (err) {
      // Not a replay (commit names those): the company's current grant moved under this key A
      // (another carried out at the same moment). Its writes are made again from the new state.
      if (attempt >= MAX_ATTEMPTS || !s.rebase || !isDiscoError(err, 'ERR_STORE_CONFLICT')) {
        throw err;
      }
      ops = await s.rebase();
    }
  }
  ctx.answeredByRule?.(p);
  if (s.error) throw s.error;
  return sealedAnswer(s.record.response!);
}

const grantMoved = () =>
  new DiscoError(
    'ERR_STORE_CONFLICT',
    "The company's permission changed while this request was carried out. Ask again.",
  );

/** Who asks, as the person sees it: a registered client. */
export const asker = (c: ClientRecord): PendingRecord['client'] => ({
  clientId: c.clientId,
  clientName: c.clientName,
  isTrusted: c.isTrusted,
  certificate: c.certificate,
});

/** The request guard (replay.ts) also names the request it filed, so a resend finds it. */
function filedBy(guards: readonly WriteOp[], pendingId: string): WriteOp[] {
  return guards.map((g) =>
    g.op === 'add' && g.key.startsWith(REQUEST_GUARD_PREFIX)
      ? { ...g, value: { ...(g.value as object), filed: pendingId } }
      : g,
  );
}

/**
 * The request this one repeats, when it is the very same request (its `jti`, from the same
 * signing certificate) and what it filed is still there, from the same client and of the same
 * kind. Only its own client can make such a request (it is signed); a copy replayed by someone
 * else learns nothing but the id of a request only that client can poll.
 */
async function sameRequest(
  guards: readonly WriteOp[],
  p: PendingRecord,
  ctx: AuthContext,
): Promise<PendingRecord | undefined> {
  const guard = guards.find((g) => g.op === 'add' && g.key.startsWith(REQUEST_GUARD_PREFIX));
  if (!guard) return undefined;
  const seen = await ctx.store.get<{ filed?: unknown }>(COLLECTIONS.seen, guard.key);
  if (typeof seen?.filed !== 'string') return undefined;
  const filed = await ctx.store.get<PendingRecord>(COLLECTIONS.pending, seen.filed);
  return filed?.client.clientId === p.client.clientId && filed.kind === p.kind ? filed : undefined;
}
