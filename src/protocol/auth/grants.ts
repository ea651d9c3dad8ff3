import { DiscoError } from '../errors/index.js';
import type { AuthContext } from './context.js';
import { COLLECTIONS, type GrantRecord } from './records.js';

/** The grant behind a key A / key B, if it is still in force (not revoked, not run out). */
export async function activeGrant(
  ctx: Pick<AuthContext, 'store' | 'clock'>,
  grantId: string,
): Promise<GrantRecord> {
  const g = await ctx.store.get<GrantRecord>(COLLECTIONS.grants, grantId);
  if (!g || g.revokedAt !== undefined || g.expiresAt <= ctx.clock.now()) {
    throw new DiscoError(
      'ERR_GRANT_REVOKED',
      'The person withdrew this permission, or it ran out.',
    );
  }
  return g;
}
