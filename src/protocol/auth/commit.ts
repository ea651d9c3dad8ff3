import { DiscoError, isDiscoError } from '../errors/index.js';
import type { WriteOp } from '../storage/store.js';
import type { AuthContext } from './context.js';
import { replayOf } from './replay.js';

/**
 * Writes tried for one decision when each loses a race on what it carries out (the company's
 * current grant, with key A requests in flight together); then the conflict is thrown.
 */
export const MAX_ATTEMPTS = 16;

/**
 * Writes one batch: a request's guards and its whole effect, or a decision and everything it
 * carries out, in one store transaction. When the store refuses it as a conflict, the answer says
 * why: a key B or request already used (one of the batch's replay guards is there, replay.ts),
 * else the caller's `changed` (an `expect` saw the record change under it, e.g. a racing poll or
 * decision).
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
    throw (await replayOf(ops, ctx)) ?? changed();
  }
}
