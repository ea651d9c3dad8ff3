import { parseScope } from '../scope/index.js';
import type { Answer } from './answers.js';
import { readClientRequest } from './client_request.js';
import { checkSecret } from './client_secret.js';
import type { AuthContext } from './context.js';
import { askKeyA } from './key_a.js';
import { askKeyB } from './key_b.js';
import { poll } from './poll.js';
import { stateGuard } from './replay.js';

/**
 * `POST /disco/auth/authorize`: a registered client (its pinned certificate signed, its secret
 * matches) asks for key A (key_a.ts) or, presenting key A with an `audience`, for key B
 * (key_b.ts); with `auth_req_id` it polls for one of those (poll.ts). The scope and the
 * request's `state` guard are read first, for both.
 */
export async function authorize(body: Uint8Array | undefined, ctx: AuthContext): Promise<Answer> {
  const r = await readClientRequest(body, 'authorize', ctx);
  const client = await checkSecret(r);
  if (r.claims.auth_req_id !== undefined) return poll(r, 'authorize', ctx);
  const scope = parseScope(r.claims.scope as string);
  const guards = [...r.seen, await stateGuard(r.claims, client.clientId)];
  return r.claims.key_a === undefined
    ? askKeyA(r, client, scope, guards, ctx)
    : askKeyB(r, client, scope, guards, ctx);
}
