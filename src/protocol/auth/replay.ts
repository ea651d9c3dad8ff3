import { DiscoError } from '../errors/index.js';
import type { WriteOp } from '../storage/store.js';
import { text } from './checks.js';
import type { AuthContext } from './context.js';
import { sha256b64u } from './sha256.js';
import { COLLECTIONS } from './records.js';

/**
 * Replay guards: every request is used once. Each guard is an `add` to the replay cache
 * (`seen`), written in the same transaction as the request's effect, so a replayed request
 * fails as a whole (the store refuses the second `add`) and nothing of it lands. Three keys:
 *
 * | guard       | key                             | spent by                                 |
 * | ----------- | ------------------------------- | ---------------------------------------- |
 * | request id  | `jti:<cert thumbprint>:<jti>`   | every request                            |
 * | state       | `state:<sha256([client, state])>` | every request but polls                 |
 * | key B       | `key_b:<key B jti>`             | a data request (key B: one use, key_b.ts) |
 *
 * Entries live until the request (or key B) expires; `prune` (revoke.ts) drops them after.
 */

type Ctx = Pick<AuthContext, 'store'>;

const guard = (key: string, expSeconds: number): WriteOp => ({
  op: 'add',
  collection: COLLECTIONS.seen,
  key,
  value: { exp: expSeconds * 1000 },
});

export const REQUEST_GUARD_PREFIX = 'jti:';

/**
 * The request's own `jti`, per signing certificate. A request that filed a consent request
 * also keeps its id here (`filed`, consent.ts), so the same request sent again gets the same
 * answer instead of a second consent request.
 */
export const requestGuard = (thumbprint: string, jti: string, exp: number): WriteOp =>
  guard(`${REQUEST_GUARD_PREFIX}${thumbprint}:${jti}`, exp);

/**
 * A `state` is single use per client. The key is a hash of both parts, so ids and states that
 * contain the separator cannot collide ("a" + "b:c" vs "a:b" + "c") and its length is fixed.
 */
export async function stateGuard(
  claims: { state?: unknown; exp: number },
  clientId: string,
): Promise<WriteOp> {
  const state = text(claims.state, 256, 'state');
  return guard(`state:${await sha256b64u(JSON.stringify([clientId, state]))}`, claims.exp);
}

/** Replay-cache key of a spent key B (written with the request that presents it). */
export const keyBSpentKey = (jti: string): string => `key_b:${jti}`;

/** Marks a key B spent (one use): with the data request that presents it. */
export const keyBGuard = (jti: string, exp: number): WriteOp => guard(keyBSpentKey(jti), exp);

export const replayedRequest = (): DiscoError =>
  new DiscoError('ERR_REQUEST_REPLAYED', 'This request (or its state) was already used.');

const keyBUsed = (): DiscoError => new DiscoError('ERR_KEY_B_USED', 'This key B was already used.');

/** Refuses a request one of whose guards is already spent (a poll replayed after its answer). */
export async function refuseIfReplayed(guards: readonly WriteOp[], ctx: Ctx): Promise<void> {
  for (const g of guards) {
    if ((await ctx.store.get(g.collection, g.key)) !== undefined) throw replayedRequest();
  }
}

/**
 * Why the store refused a batch as a conflict, if a replay guard explains it: a spent key B
 * first (the more useful answer when a request is replayed whole), then any spent request guard.
 */
export async function replayOf(ops: readonly WriteOp[], ctx: Ctx): Promise<DiscoError | undefined> {
  const guards = ops.filter((op) => op.op === 'add' && op.collection === COLLECTIONS.seen);
  guards.sort((a, b) => Number(b.key.startsWith('key_b:')) - Number(a.key.startsWith('key_b:')));
  for (const g of guards) {
    if ((await ctx.store.get(COLLECTIONS.seen, g.key)) === undefined) continue;
    return g.key.startsWith('key_b:') ? keyBUsed() : replayedRequest();
  }
  return undefined;
}
