import { DiscoError, isDiscoError } from '../errors/index.js';
import { commit, MAX_ATTEMPTS } from './commit.js';
import type { AuthContext } from './context.js';
import { COLLECTIONS, type PendingRecord } from './records.js';
import { settle, type Decision } from './settle.js';

export type { Decision } from './settle.js';

const alreadyDecided = (): DiscoError =>
  new DiscoError('ERR_CONSENT_DECIDED', 'This request was already answered.');

/**
 * The person's answer to a pending request (the device app calls it). Approving carries the
 * request out, seals the answer for the client, logs the activity and, when asked, stores a
 * rule; denying records the refusal (settle.ts). Either way it is one transaction, written only
 * if the request is still pending then: of two racing decisions one lands, the other gets
 * `ERR_CONSENT_DECIDED`. A request that can no longer be carried out (its grant was revoked
 * meanwhile) is recorded as denied and the reason thrown. The client collects the answer by
 * polling (poll.ts).
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
  let ops = s.ops;
  for (let attempt = 1; ; attempt++) {
    try {
      await commit(
        [
          { op: 'expect', collection: COLLECTIONS.pending, key: id, where: { status: 'pending' } },
          { op: 'put', collection: COLLECTIONS.pending, key: id, value: s.record },
          ...ops,
        ],
        ctx,
        alreadyDecided,
      );
      break;
    } catch (err) {
      // Still pending: what moved under the decision is something it carries out (the company's
      // current grant, replaced by a key A carried out at the same moment): its writes are made
      // again from the new state, a few times at most.
      const again =
        attempt < MAX_ATTEMPTS &&
        s.rebase &&
        isDiscoError(err, 'ERR_CONSENT_DECIDED') &&
        (await ctx.store.get<PendingRecord>(COLLECTIONS.pending, id))?.status === 'pending';
      if (!again) throw err;
      ops = await s.rebase!();
    }
  }
  // A client long-polling for this request gets its answer now (decision_signal.ts).
  ctx.decisions?.decided(id);
  if (s.error) throw s.error;
  return s.record;
}
