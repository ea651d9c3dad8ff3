import { DiscoError, isDiscoError } from '../errors/index.js';
import type { WriteOp } from '../storage/store.js';
import type { AuthContext } from './context.js';
import { COLLECTIONS } from './records.js';

/** Replay-cache key of a spent key B (written with the request that presents it). */
export const keyBSpentKey = (jti: string): string => `key_b:${jti}`;

/**
 * Writes one batch: a request's guards and its whole effect, or a decision and everything it
 * carries out, in one store transaction. When the store refuses it as a conflict, the answer says
 * why: a key B or request already used (one of the batch's replay guards is there), else the
 * caller's `changed` (an `expect` saw the record change under it, e.g. a racing poll or decision).
 */
export async function commit(
  ops: readonly WriteOp[],
  ctx: Pick<AuthContext, 'store'>,
  changed: () => DiscoError,
): Promise<void> {
  try {
    await ctx.store.write(ops);
  } catch (err) {
    if (!isDiscoError(err, 'ERR_STORE_CONFLICT')) throw err;
    throw (await replayed(ops, ctx)) ?? changed();
  }
}

async function replayed(
  ops: readonly WriteOp[],
  ctx: Pick<AuthContext, 'store'>,
): Promise<DiscoError | undefined> {
  const guards = ops.filter((op) => op.op === 'add' && op.collection === COLLECTIONS.seen);
  // A spent key B is the more useful answer when a request is replayed whole.
  guards.sort((a, b) => Number(b.key.startsWith('key_b:')) - Number(a.key.startsWith('key_b:')));
  for (const g of guards) {
    if ((await ctx.store.get(COLLECTIONS.seen, g.key)) === undefined) continue;
    return g.key.startsWith('key_b:')
      ? new DiscoError('ERR_KEY_B_USED', 'This key B was already used.')
      : new DiscoError('ERR_REQUEST_REPLAYED', 'This request (or its state) was already used.');
  }
  return undefined;
}

export const replayedRequest = (): DiscoError =>
  new DiscoError('ERR_REQUEST_REPLAYED', 'This request (or its state) was already used.');
