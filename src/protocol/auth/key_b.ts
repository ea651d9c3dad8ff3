import { DiscoError } from '../errors/index.js';
import { TOKEN_TYPES, verify, type TokenClaims } from '../jose/index.js';
import type { WriteOp } from '../storage/store.js';
import type { Answer } from './answers.js';
import { CLIENT_ID, malformed, text } from './checks.js';
import type { ClientRequest } from './client_request.js';
import { ask, asker } from './consent.js';
import type { AuthContext } from './context.js';
import { activeGrant } from './grants.js';
import {
  COLLECTIONS,
  type ClientRecord,
  type GrantRecord,
  type KeyBRecord,
  type PendingRecord,
} from './records.js';
import { keyBGuard } from './replay.js';
import { checkWithinGrant } from './scope_subset.js';
import { isStatedName, isStatedUri } from './stated_partner.js';

/**
 * Key B: a one-use token a company (holding key A) gets for one trusted partner, which presents
 * it to `POST /disco/data` for the fields. Its rules, in the order they are checked:
 *
 * | when     | rule                                                                 | else                      |
 * | -------- | -------------------------------------------------------------------- | ------------------------- |
 * | asked    | key A verifies: the device's key, typed key A, in time               | `ERR_JWT_*`               |
 * | asked    | key A was issued to this client                                      | `ERR_AUDIENCE_MISMATCH`   |
 * | asked    | key A's grant is in force                                            | `ERR_GRANT_REVOKED`       |
 * | asked    | scope ⊆ the grant's (scope_subset.ts)                                | `ERR_SCOPE_EXCEEDS_GRANT` |
 * | asked    | audience binding: `audience` names a client id and `x5t#S256`; if that client is registered, with that certificate | `ERR_CNF_MISMATCH` |
 * | asked    | `audience.client_name` / `client_uri`, when given, are plain text (stated_partner.ts) | `ERR_REQUEST_MALFORMED` |
 * | issued   | `aud` = the audience, `cnf.x5t#S256` = its thumbprint (complete.ts)  |                           |
 * | presented| key B verifies: the device's key, typed key B, in time               | `ERR_JWT_*`               |
 * | presented| by its audience (`aud`)                                              | `ERR_AUDIENCE_MISMATCH`   |
 * | presented| signed with the certificate it is bound to (`cnf`)                   | `ERR_CNF_MISMATCH`        |
 * | presented| known to the device (not from before a restore) and its grant in force | `ERR_GRANT_REVOKED`     |
 * | presented| one use: spent with the request that presents it (replay.ts)        | `ERR_KEY_B_USED`          |
 *
 * A key B rule ("always allow") binds the audience's thumbprint too (consent_rule.ts).
 */

/** Key B asked for (`POST /disco/auth/authorize` with `key_a` and `audience`). */
export async function askKeyB(
  r: ClientRequest,
  client: ClientRecord,
  scope: string[],
  guards: readonly WriteOp[],
  ctx: AuthContext,
): Promise<Answer> {
  const keyA = await verify(text(r.claims.key_a, 16384, 'key_a'), ctx.identity.signingJwk, {
    now: () => ctx.clock.now(),
    issuer: ctx.identity.deviceId,
    audience: ctx.identity.deviceId,
    typ: TOKEN_TYPES.keyA,
  });
  if (keyA.sub !== client.clientId)
    throw new DiscoError('ERR_AUDIENCE_MISMATCH', 'This key A was issued to another client.');
  const grant = await activeGrant(ctx, keyA.jti);
  checkWithinGrant(scope, grant);
  const audience = await boundAudience(r.claims.audience, ctx);
  return ask(
    {
      client: asker(client),
      scope,
      audience,
      grantId: grant.grantId,
      work: { kind: 'key_b', jti: r.claims.jti },
    },
    guards,
    ctx,
  );
}

/**
 * Audience binding at the ask: the trusted client by id and certificate thumbprint; when it is
 * registered already, the thumbprint must be its pinned certificate's, and the name the person
 * reads is the one it registered with. Else the name and address the asking company states for
 * it (`client_name`, `client_uri`, checked as plain text whether used or not) are kept as that
 * company's claim, for the card to attribute to it (issue #11: the card showed the raw id).
 */
async function boundAudience(
  claim: unknown,
  ctx: AuthContext,
): Promise<NonNullable<PendingRecord['audience']>> {
  const aud = claim as
    | { client_id?: unknown; 'x5t#S256'?: unknown; client_name?: unknown; client_uri?: unknown }
    | undefined;
  const clientId = text(aud?.client_id, 128, 'audience.client_id', CLIENT_ID);
  const thumbprint = text(aud?.['x5t#S256'], 43, 'audience.x5t#S256', /^[A-Za-z0-9_-]{43}$/);
  const statedName = aud?.client_name;
  const statedUri = aud?.client_uri;
  if (statedName !== undefined && !isStatedName(statedName))
    throw malformed('audience.client_name is not a plain name of 1 to 100 characters.');
  if (statedUri !== undefined && !isStatedUri(statedUri))
    throw malformed('audience.client_uri is not an https address.');
  const known = await ctx.store.get<ClientRecord>(COLLECTIONS.clients, clientId);
  if (known && known.certificate.thumbprint !== thumbprint) {
    throw new DiscoError(
      'ERR_CNF_MISMATCH',
      'The audience certificate does not match the registered client.',
    );
  }
  if (known) return { clientId, thumbprint, clientName: known.clientName };
  return {
    clientId,
    thumbprint,
    ...(statedName === undefined ? {} : { statedName }),
    ...(statedUri === undefined ? {} : { statedUri }),
  };
}

/** A key B as presented to `/disco/data`, checked, with the guard that spends it. */
export interface PresentedKeyB {
  claims: TokenClaims;
  record: KeyBRecord;
  grant: GrantRecord;
  /** One use: the replay guard written with the presenting request. */
  spend: WriteOp;
}

/** The key B a trusted client presents: its rules at presentation (table above). */
export async function presentedKeyB(
  r: ClientRequest,
  client: ClientRecord,
  ctx: AuthContext,
): Promise<PresentedKeyB> {
  const keyB = await verify(text(r.claims.key_b, 16384, 'key_b'), ctx.identity.signingJwk, {
    now: () => ctx.clock.now(),
    issuer: ctx.identity.deviceId,
    typ: TOKEN_TYPES.keyB,
  });
  if (keyB.aud !== client.clientId)
    throw new DiscoError('ERR_AUDIENCE_MISMATCH', 'This key B is for another client.');
  if (keyB.cnf?.['x5t#S256'] !== client.certificate.thumbprint) {
    throw new DiscoError('ERR_CNF_MISMATCH', 'This key B is bound to another certificate.');
  }
  const record = await ctx.store.get<KeyBRecord>(COLLECTIONS.keyB, keyB.jti);
  if (!record) throw new DiscoError('ERR_GRANT_REVOKED', 'This key B is not known to the device.');
  const grant = await activeGrant(ctx, record.grantId);
  return { claims: keyB, record, grant, spend: keyBGuard(keyB.jti, keyB.exp) };
}
