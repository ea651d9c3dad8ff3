import type { WriteOp } from '../storage/store.js';
import type { Answer } from './answers.js';
import type { ClientRequest } from './client_request.js';
import { ask, asker } from './consent.js';
import type { AuthContext } from './context.js';
import type { ClientRecord } from './records.js';
import { keyAFields } from './scope_subset.js';

/**
 * Key A (`POST /disco/auth/authorize` without `key_a`): a registered client asks for a standing
 * permission over some vault fields, with `key_b` in the scope so that it may later ask key B
 * for a trusted partner. The scope must be `key_b` plus vault fields (scope_subset.ts); then the
 * person (or one of their rules) decides. Approved, it becomes a grant, replacing the one the
 * company had (complete.ts), and key A is its token: `jti` = the grant id, 30 days.
 */
export function askKeyA(
  r: ClientRequest,
  client: ClientRecord,
  scope: readonly string[],
  guards: readonly WriteOp[],
  ctx: AuthContext,
): Promise<Answer> {
  const fields = keyAFields(scope);
  return ask(
    { client: asker(client), scope: fields, work: { kind: 'key_a', jti: r.claims.jti } },
    guards,
    ctx,
  );
}
