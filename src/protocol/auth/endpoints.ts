import { DiscoError } from '../errors/index.js';
import type { EngineRequest, EngineResponse } from '../engine/types.js';
import { verify, TOKEN_TYPES } from '../jose/index.js';
import { parseScope } from '../scope/index.js';
import { STANDARD_FIELDS } from '../vault/fields.js';
import type { WriteOp } from '../storage/store.js';
import type { AuthContext } from './context.js';
import { notAClient, readClientRequest, type ClientRequest } from './client_request.js';
import { commit, keyBSpentKey, replayedRequest } from './commit.js';
import { activeGrant } from './complete.js';
import { settle } from './decide.js';
import { sha256b64u } from './ids.js';
import { makePending, pendingAnswer, poll, sealedAnswer } from './pending.js';
import { POLICY, KEY_B_SCOPE } from './policy.js';
import {
  certificateView,
  COLLECTIONS,
  type ClientRecord,
  type KeyBRecord,
  type PendingRecord,
} from './records.js';
import { findRule } from './rules.js';
import { PAIRINGS, type PairingRecord } from '../pairing/pairing.js';

const bad = (why: string) => new DiscoError('ERR_REQUEST_MALFORMED', why);
const str = (v: unknown, max: number, what: string, pattern?: RegExp): string => {
  if (typeof v !== 'string' || v.length === 0 || v.length > max || (pattern && !pattern.test(v)))
    throw bad(`${what} is missing or malformed.`);
  return v;
};
const CLIENT_ID = /^[A-Za-z0-9._:-]+$/;

async function checkSecret(r: ClientRequest): Promise<ClientRecord> {
  const client = r.client;
  if (!client) throw notAClient();
  const secret = typeof r.claims.client_secret === 'string' ? r.claims.client_secret : '';
  if ((await sha256b64u(secret)) !== client.secretHash)
    throw new DiscoError('ERR_CLIENT_SECRET', 'The client secret is wrong.');
  return client;
}

/**
 * A `state` is single use per client. The key is a hash of both parts, so ids and states that
 * contain the separator cannot collide ("a" + "b:c" vs "a:b" + "c") and its length is fixed.
 */
async function stateGuard(r: ClientRequest, clientId: string): Promise<WriteOp> {
  const state = str(r.claims.state, 256, 'state');
  return {
    op: 'add',
    collection: COLLECTIONS.seen,
    key: `state:${await sha256b64u(JSON.stringify([clientId, state]))}`,
    value: { exp: r.claims.exp * 1000 },
  };
}

/**
 * Files a new consent request. When one of the person's rules covers it, it is decided at once:
 * its guards, what it carries out and its activity record land in one transaction, and no
 * pending record is written. Otherwise it is stored as pending with its guards (the person is
 * notified) and the client told to poll.
 */
async function ask(p: PendingRecord, guards: WriteOp[], ctx: AuthContext): Promise<EngineResponse> {
  const rule = await findRule(ctx.store, p);
  if (!rule) {
    await commit(
      [...guards, { op: 'add', collection: COLLECTIONS.pending, key: p.id, value: p }],
      ctx,
      replayedRequest,
    );
    ctx.notify?.(p);
    return pendingAnswer(p, ctx.clock.now());
  }
  const s = await settle(p, { approve: true, by: 'rule' }, ctx);
  await commit([...guards, ...s.ops], ctx, replayedRequest);
  if (s.error) throw s.error;
  return sealedAnswer(s.record.response!);
}

/** `POST /disco/auth/register`: a relying party asks to become a client of this device. */
export async function register(req: EngineRequest, ctx: AuthContext): Promise<EngineResponse> {
  const r = await readClientRequest(req.body, 'register', ctx);
  if (r.claims.auth_req_id !== undefined) return poll(r, 'register', ctx);
  const c = r.claims;
  const clientId = str(c.client_id, 128, 'client_id', CLIENT_ID);
  if (c.iss !== clientId) throw bad('iss must be the client_id.');
  const clientName = str(c.client_name, 100, 'client_name');
  const secret = str(c.client_secret, 512, 'client_secret');
  if (secret.length < POLICY.minClientSecretLength)
    throw bad(`client_secret must be at least ${POLICY.minClientSecretLength} characters.`);
  if (typeof c.is_trusted !== 'boolean') throw bad('is_trusted must be true or false.');
  // Only the company itself (its pinned certificate signed this) hears that it is registered;
  // anyone else's request for a taken id goes to the person like a new one, who cannot approve
  // it over the registered company (complete.ts). An outsider cannot tell taken from free.
  const existing = await ctx.store.get<ClientRecord>(COLLECTIONS.clients, clientId);
  if (existing?.certificate.thumbprint === r.cert.thumbprint)
    throw new DiscoError('ERR_CLIENT_EXISTS', 'This client is already registered.');
  // Paired through a relay: the RP must show it decrypted the challenge sealed to its key.
  const pairing = await ctx.store.get<PairingRecord>(PAIRINGS, r.cert.thumbprint);
  if (pairing && c.challenge !== pairing.challenge) {
    throw new DiscoError(
      'ERR_REQUEST_MALFORMED',
      'The pairing challenge does not match: this is not the company you paired with.',
    );
  }
  const p = makePending(
    {
      kind: 'register',
      client: {
        clientId,
        clientName,
        isTrusted: c.is_trusted,
        certificate: certificateView(r.cert, r.trust),
      },
      scope: [],
      ...(pairing
        ? { pairing: { uid: pairing.uid, confirmedOutOfBand: pairing.confirmedOutOfBand } }
        : {}),
      work: {
        jti: c.jti,
        certificatePem: c.certificate,
        secretHash: await sha256b64u(secret),
        challengeProved: pairing !== undefined,
      },
    },
    ctx,
  );
  return ask(p, [...r.seen, await stateGuard(r, clientId)], ctx);
}

/**
 * `POST /disco/auth/authorize`: key A when the scope holds `key_b` (the client may later ask for
 * key B); key B when it presents key A with an `audience` (a trusted client and its certificate
 * thumbprint) and a scope within key A's.
 */
export async function authorize(req: EngineRequest, ctx: AuthContext): Promise<EngineResponse> {
  const r = await readClientRequest(req.body, 'authorize', ctx);
  const client = await checkSecret(r);
  if (r.claims.auth_req_id !== undefined) return poll(r, 'authorize', ctx);
  const scope = parseScope(r.claims.scope as string);
  const who = {
    clientId: client.clientId,
    clientName: client.clientName,
    isTrusted: client.isTrusted,
    certificate: client.certificate,
  };
  const guards = [...r.seen, await stateGuard(r, client.clientId)];

  if (r.claims.key_a === undefined) {
    if (!scope.includes(KEY_B_SCOPE))
      throw new DiscoError(
        'ERR_SCOPE_INVALID',
        `Ask for key A with "${KEY_B_SCOPE}" in the scope.`,
      );
    const fields = scope.filter((s) => s !== KEY_B_SCOPE);
    const unknown = fields.filter((f) => !(STANDARD_FIELDS as readonly string[]).includes(f));
    if (fields.length === 0 || unknown.length)
      throw new DiscoError(
        'ERR_SCOPE_INVALID',
        `Unknown or missing fields: ${unknown.join(', ') || 'none asked'}.`,
      );
    return ask(
      makePending({ kind: 'key_a', client: who, scope: fields, work: { jti: r.claims.jti } }, ctx),
      guards,
      ctx,
    );
  }

  const keyA = await verify(str(r.claims.key_a, 16384, 'key_a'), ctx.identity.signingJwk, {
    now: () => ctx.clock.now(),
    issuer: ctx.identity.deviceId,
    audience: ctx.identity.deviceId,
    typ: TOKEN_TYPES.keyA,
  });
  if (keyA.sub !== client.clientId)
    throw new DiscoError('ERR_AUDIENCE_MISMATCH', 'This key A was issued to another client.');
  const grant = await activeGrant(ctx, keyA.jti);
  if (!scope.every((s) => grant.scope.includes(s)))
    // Errors travel unsealed: say nothing of what the grant covers (issue #12, 3).
    throw new DiscoError('ERR_SCOPE_EXCEEDS_GRANT', 'Key B may cover only fields key A covers.');
  const aud = r.claims.audience as { client_id?: unknown; 'x5t#S256'?: unknown } | undefined;
  const audience = {
    clientId: str(aud?.client_id, 128, 'audience.client_id', CLIENT_ID),
    thumbprint: str(aud?.['x5t#S256'], 43, 'audience.x5t#S256', /^[A-Za-z0-9_-]{43}$/),
  };
  const known = await ctx.store.get<ClientRecord>(COLLECTIONS.clients, audience.clientId);
  if (known && known.certificate.thumbprint !== audience.thumbprint) {
    throw new DiscoError(
      'ERR_CNF_MISMATCH',
      'The audience certificate does not match the registered client.',
    );
  }
  const p = makePending(
    {
      kind: 'key_b',
      client: who,
      scope,
      audience: { ...audience, ...(known ? { clientName: known.clientName } : {}) },
      grantId: grant.grantId,
      work: { jti: r.claims.jti },
    },
    ctx,
  );
  return ask(p, guards, ctx);
}

/**
 * `POST /disco/data`: a trusted client presents key B. The request is signed with the key of
 * the certificate key B is bound to (`cnf`), which proves possession; key B is spent at once.
 */
export async function data(req: EngineRequest, ctx: AuthContext): Promise<EngineResponse> {
  const r = await readClientRequest(req.body, 'data', ctx);
  const client = await checkSecret(r);
  if (r.claims.auth_req_id !== undefined) return poll(r, 'data', ctx);
  if (!client.isTrusted)
    throw new DiscoError(
      'ERR_CLIENT_NOT_TRUSTED',
      'Only a trusted client can exchange key B for data.',
    );
  const keyB = await verify(str(r.claims.key_b, 16384, 'key_b'), ctx.identity.signingJwk, {
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
  const via = await ctx.store.get<ClientRecord>(COLLECTIONS.clients, record.clientId);
  const p = makePending(
    {
      kind: 'data',
      client: {
        clientId: client.clientId,
        clientName: client.clientName,
        isTrusted: true,
        certificate: client.certificate,
      },
      scope: record.scope,
      via: { clientId: record.clientId, clientName: via?.clientName ?? record.clientId },
      grantId: grant.grantId,
      work: { jti: r.claims.jti, keyB: keyB.jti },
    },
    ctx,
  );
  const spend: WriteOp = {
    op: 'add',
    collection: COLLECTIONS.seen,
    key: keyBSpentKey(keyB.jti),
    value: { exp: keyB.exp * 1000 },
  };
  return ask(p, [...r.seen, await stateGuard(r, client.clientId), spend], ctx);
}
