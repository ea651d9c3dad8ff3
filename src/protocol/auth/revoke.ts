import { DiscoError } from '../errors/index.js';
import type { WriteOp } from '../storage/store.js';
import type { AuthContext } from './context.js';
import { newId } from './ids.js';
import {
  COLLECTIONS,
  type ActivityRecord,
  type ClientRecord,
  type GrantRecord,
  type PendingRecord,
  type RuleRecord,
} from './records.js';

type Ctx = Pick<AuthContext, 'store' | 'clock' | 'random'>;

function logOp(a: Omit<ActivityRecord, 'id' | 'at' | 'outcome' | 'decidedBy'>, ctx: Ctx): WriteOp {
  const at = ctx.clock.now();
  const id = newId(ctx.random);
  return {
    op: 'put',
    collection: COLLECTIONS.activity,
    key: `${String(at).padStart(15, '0')}-${id}`,
    value: { ...a, id, at, outcome: 'revoked', decidedBy: 'person' } satisfies ActivityRecord,
  };
}

/** Withdraws one grant: its key A and every key B made from it stop working at once. */
export async function revokeGrant(grantId: string, ctx: Ctx): Promise<void> {
  const g = await ctx.store.get<GrantRecord>(COLLECTIONS.grants, grantId);
  if (!g) throw new DiscoError('ERR_NOT_FOUND', 'No such permission.');
  if (g.revokedAt !== undefined) return;
  const client = await ctx.store.get<ClientRecord>(COLLECTIONS.clients, g.clientId);
  await ctx.store.write([
    {
      op: 'put',
      collection: COLLECTIONS.grants,
      key: grantId,
      value: { ...g, revokedAt: ctx.clock.now() },
    },
    logOp(
      {
        kind: 'revoke_grant',
        clientId: g.clientId,
        clientName: client?.clientName ?? g.clientId,
        scope: g.scope,
        grantId,
      },
      ctx,
    ),
  ]);
}

/**
 * Removes a client: its registration, its rules, its grants (revoked, kept for the record) and
 * its requests, waiting or decided and not yet collected. Its requests fail from then on; it
 * must register again, with the person's consent.
 */
export async function revokeClient(clientId: string, ctx: Ctx): Promise<void> {
  const client = await ctx.store.get<ClientRecord>(COLLECTIONS.clients, clientId);
  if (!client) throw new DiscoError('ERR_NOT_FOUND', 'No such client.');
  const now = ctx.clock.now();
  const grants = (await ctx.store.list<GrantRecord>(COLLECTIONS.grants)).filter(
    (g) => g.value.clientId === clientId,
  );
  const rules = (await ctx.store.list<RuleRecord>(COLLECTIONS.rules)).filter(
    (r) => r.value.clientId === clientId,
  );
  const pending = (await ctx.store.list<PendingRecord>(COLLECTIONS.pending)).filter(
    (p) => p.value.client.clientId === clientId,
  );
  await ctx.store.write([
    { op: 'delete', collection: COLLECTIONS.clients, key: clientId },
    ...grants
      .filter((g) => g.value.revokedAt === undefined)
      .map((g): WriteOp => ({
        op: 'put',
        collection: COLLECTIONS.grants,
        key: g.key,
        value: { ...g.value, revokedAt: now },
      })),
    ...rules.map((r): WriteOp => ({ op: 'delete', collection: COLLECTIONS.rules, key: r.key })),
    ...pending.map((p): WriteOp => ({ op: 'delete', collection: COLLECTIONS.pending, key: p.key })),
    logOp({ kind: 'revoke_client', clientId, clientName: client.clientName, scope: [] }, ctx),
  ]);
}

/** Deletes one "always allow" rule. */
export async function deleteRule(ruleId: string, ctx: Ctx): Promise<void> {
  await ctx.store.write([{ op: 'delete', collection: COLLECTIONS.rules, key: ruleId }]);
}

/** Drops expired replay-cache entries and expired undecided requests (housekeeping). */
export async function prune(ctx: Ctx): Promise<number> {
  const now = ctx.clock.now();
  const seen = await ctx.store.list<{ exp: number }>(COLLECTIONS.seen);
  const pending = await ctx.store.list<{ expiresAt: number }>(COLLECTIONS.pending);
  const ops: WriteOp[] = [
    ...seen
      .filter((s) => s.value.exp + 60_000 < now)
      .map((s): WriteOp => ({ op: 'delete', collection: COLLECTIONS.seen, key: s.key })),
    ...pending
      .filter((p) => p.value.expiresAt + 3_600_000 < now)
      .map((p): WriteOp => ({ op: 'delete', collection: COLLECTIONS.pending, key: p.key })),
  ];
  if (ops.length) await ctx.store.write(ops);
  return ops.length;
}
