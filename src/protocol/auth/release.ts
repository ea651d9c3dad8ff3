import { DiscoError } from '../errors/index.js';
import { CHALLENGE_PATTERN } from '../ic/principal_proof/principal_proof.js';
import type { Answer } from './answers.js';
import { readClientRequest } from './client_request.js';
import { text } from './checks.js';
import { checkSecret } from './client_secret.js';
import { ask } from './consent.js';
import type { AuthContext } from './context.js';
import { presentedKeyB } from './key_b.js';
import { poll } from './poll.js';
import { COLLECTIONS, type ClientRecord } from './records.js';
import { stateGuard } from './replay.js';

/**
 * `POST /disco/data`, the release: a trusted client presents key B for the fields it covers.
 * The request is signed with the key of the certificate key B is bound to (`cnf`), which proves
 * possession; key B's rules (key_b.ts) are checked and it is spent with this request, even if
 * the person then refuses. `ic_challenge`, when sent, is the company's challenge for the
 * `ic_principal` field (src/protocol/ic/principal_proof). Approved, the fields are read from the vault (complete.ts); a poll
 * (`auth_req_id`) goes to poll.ts.
 */
export async function release(body: Uint8Array | undefined, ctx: AuthContext): Promise<Answer> {
  const r = await readClientRequest(body, 'data', ctx);
  const client = await checkSecret(r);
  if (r.claims.auth_req_id !== undefined) return poll(r, 'data', ctx);
  if (!client.isTrusted)
    throw new DiscoError(
      'ERR_CLIENT_NOT_TRUSTED',
      'Only a trusted client can exchange key B for data.',
    );
  const keyB = await presentedKeyB(r, client, ctx);
  const { record } = keyB;
  const via = await ctx.store.get<ClientRecord>(COLLECTIONS.clients, record.clientId);
  return ask(
    {
      client: {
        clientId: client.clientId,
        clientName: client.clientName,
        isTrusted: true,
        certificate: client.certificate,
      },
      scope: record.scope,
      via: { clientId: record.clientId, clientName: via?.clientName ?? record.clientId },
      grantId: keyB.grant.grantId,
      work: {
        kind: 'data',
        jti: r.claims.jti,
        keyB: keyB.claims.jti,
        ...(r.claims.ic_challenge === undefined
          ? {}
          : { icChallenge: text(r.claims.ic_challenge, 128, 'ic_challenge', CHALLENGE_PATTERN) }),
      },
    },
    [...r.seen, await stateGuard(r.claims, client.clientId), keyB.spend],
    ctx,
  );
}
