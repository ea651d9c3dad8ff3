import { b64u } from '../encoding/index.js';
// Static, not import(): the service worker runs this and is a classic script, where the
// import.meta of Vite's preload helper fails its evaluation (no worker, no /disco/ at all).
import { releasePrincipalProof } from '../ic/principal_proof/release_principal_proof.js';
import { DiscoError } from '../errors/index.js';
import { issue, TOKEN_TYPES } from '../jose/index.js';
import type { WriteOp } from '../storage/store.js';
import { VAULT, type VaultEntry } from '../vault/fields.js';
import type { AuthContext } from './context.js';
import { activeGrant } from './grants.js';
import { newId } from './ids.js';
import { POLICY } from './policy.js';
import {
  type ActiveGrantRecord,
  COLLECTIONS,
  type ClientRecord,
  type GrantRecord,
  type KeyBRecord,
  type PendingRecord,
  type PendingWork,
} from './records.js';

/**
 * What approving a request carries out, by kind: register pins the client, key A makes a grant
 * (replacing the company's previous one), key B issues a one-use token bound to the audience's
 * certificate (`cnf`), data reads the fields. Nothing is written here: settle.ts writes `ops`
 * in the transaction that records the decision.
 */

export interface Completion {
  ops: WriteOp[];
  result: Record<string, unknown>;
  fields?: string[];
  /**
   * The ops again, from a fresh read of what they depend on, when a write lost a race on it
   * (key A: the company's current grant). What was signed and sealed stays as it is.
   */
  rebase?: () => Promise<WriteOp[]>;
}

async function register(
  p: PendingRecord,
  w: Extract<PendingWork, { kind: 'register' }>,
  ctx: AuthContext,
): Promise<Completion> {
  // A taken id went to the person like any other (an outsider must not tell taken from free);
  // approving it never replaces the registered company.
  if (await ctx.store.get(COLLECTIONS.clients, p.client.clientId)) {
    throw new DiscoError(
      'ERR_CLIENT_EXISTS',
      'Another company is already registered under this id, with another certificate: this request was refused.',
    );
  }
  const client: ClientRecord = {
    clientId: p.client.clientId,
    clientName: p.client.clientName,
    isTrusted: p.client.isTrusted,
    certificatePem: w.certificatePem,
    certificate: {
      ...p.client.certificate,
      trust: p.client.certificate.trust === 'anchor' ? 'anchor' : 'pinned',
    },
    secretHash: w.secretHash,
    registeredAt: ctx.clock.now(),
    challengeProved: w.challengeProved,
  };
  return {
    ops: [{ op: 'add', collection: COLLECTIONS.clients, key: client.clientId, value: client }],
    result: { status: 'registered', client_id: client.clientId, is_trusted: client.isTrusted },
  };
}

async function keyA(p: PendingRecord, ctx: AuthContext): Promise<Completion> {
  const grantId = newId(ctx.random);
  const now = ctx.clock.now();
  const grant: GrantRecord = {
    grantId,
    clientId: p.client.clientId,
    scope: p.scope,
    createdAt: now,
    expiresAt: now + POLICY.keyALifetimeSeconds * 1000,
  };
  const token = await issue(
    {
      iss: ctx.identity.deviceId,
      sub: p.client.clientId,
      aud: ctx.identity.deviceId,
      scope: p.scope,
      lifetimeSeconds: POLICY.keyALifetimeSeconds,
    },
    ctx.keys.signing,
    { typ: TOKEN_TYPES.keyA, now: () => now, randomId: () => grantId, kid: ctx.identity.deviceId },
  );
  // One permission per company: the one it had (same client, still active) is replaced.
  const current: ActiveGrantRecord = { clientId: p.client.clientId, grantId };
  const where = { collection: COLLECTIONS.activeGrant, key: current.clientId };
  const grantOps = async (): Promise<WriteOp[]> => {
    const { read, grants } = await grantsToReplace(p.client.clientId, ctx);
    return [
      ...grants.map((g): WriteOp => ({
        op: 'put',
        collection: COLLECTIONS.grants,
        key: g.grantId,
        value: { ...g, revokedAt: now, replacedBy: grantId },
      })),
      { op: 'add', collection: COLLECTIONS.grants, key: grantId, value: grant },
      // Written only if the company's current grant is still the one read (compare-and-set;
      // `add` when there was none): of two key A carried out at the same moment, the second
      // conflicts and its ops are made again from the new state (`rebase`), replacing the first.
      ...(read
        ? [
            { op: 'expect', ...where, where: { grantId: read.grantId } } as const,
            { op: 'put', ...where, value: current } as const,
          ]
        : [{ op: 'add', ...where, value: current } as const]),
    ];
  };
  return {
    ops: await grantOps(),
    rebase: grantOps,
    result: { key_a: token, scope: p.scope.join(' '), expires_in: POLICY.keyALifetimeSeconds },
  };
}

/**
 * The company's grants still in force, which its new key A replaces. Only key A makes grants and
 * it files each as the company's `activeGrant`, so that one record is all there is to look at; a
 * device without it (a restore, data from before it) lists the grants once, as it always did.
 * Cost: one read per request instead of a list that grew with every key A (issue #13).
 */
async function grantsToReplace(
  clientId: string,
  ctx: AuthContext,
): Promise<{ read: ActiveGrantRecord | undefined; grants: GrantRecord[] }> {
  const read = await ctx.store.get<ActiveGrantRecord>(COLLECTIONS.activeGrant, clientId);
  const grant = read && (await ctx.store.get<GrantRecord>(COLLECTIONS.grants, read.grantId));
  const candidates =
    grant && grant.clientId === clientId
      ? [grant]
      : (await ctx.store.list<GrantRecord>(COLLECTIONS.grants))
          .map(({ value }) => value)
          .filter((g) => g.clientId === clientId);
  return { read, grants: candidates.filter((g) => g.revokedAt === undefined) };
}

async function keyB(p: PendingRecord, ctx: AuthContext): Promise<Completion> {
  const grant = await activeGrant(ctx, p.grantId ?? '');
  const audience = p.audience!;
  const jti = newId(ctx.random);
  const now = ctx.clock.now();
  const token = await issue(
    {
      iss: ctx.identity.deviceId,
      sub: p.client.clientId,
      aud: audience.clientId,
      scope: p.scope,
      lifetimeSeconds: POLICY.keyBLifetimeSeconds,
      cnf: { 'x5t#S256': audience.thumbprint },
    },
    ctx.keys.signing,
    { typ: TOKEN_TYPES.keyB, now: () => now, randomId: () => jti, kid: ctx.identity.deviceId },
  );
  const record: KeyBRecord = {
    jti,
    grantId: grant.grantId,
    clientId: p.client.clientId,
    audience: audience.clientId,
    audienceThumbprint: audience.thumbprint,
    scope: p.scope,
    expiresAt: now + POLICY.keyBLifetimeSeconds * 1000,
  };
  return {
    ops: [{ op: 'add', collection: COLLECTIONS.keyB, key: jti, value: record }],
    result: {
      key_b: token,
      audience: audience.clientId,
      scope: p.scope.join(' '),
      expires_in: POLICY.keyBLifetimeSeconds,
    },
  };
}

async function data(p: PendingRecord, ctx: AuthContext): Promise<Completion> {
  await activeGrant(ctx, p.grantId ?? '');
  const fields: Record<string, unknown> = {};
  for (const name of p.scope) {
    if (name === 'ic_principal') {
      const proof = await principalProof(p, ctx);
      if (proof) fields[name] = proof;
      continue;
    }
    const entry = await ctx.store.get<VaultEntry>(VAULT, name);
    if (entry && entry.kind !== 'custom') fields[name] = entry.value;
  }
  const released = Object.keys(fields);
  const missing = p.scope.filter((s) => !released.includes(s));
  return { ops: [], result: { fields, ...(missing.length ? { missing } : {}) }, fields: released };
}

/**
 * `ic_principal`: the Internet Identity principal with its proof, made now for this company's
 * challenge (src/protocol/ic/principal_proof). Without a challenge,
 * or without a live II session, it is missing like an empty vault field.
 */
async function principalProof(p: PendingRecord, ctx: AuthContext): Promise<unknown> {
  if (p.work.kind !== 'data' || p.work.icChallenge === undefined) return undefined;
  const signing = ctx.keys.signing;
  return releasePrincipalProof({
    store: ctx.store,
    devicePublicKey: b64u.decode(ctx.identity.signingJwk.x ?? ''),
    sign: async (message) =>
      new Uint8Array(await crypto.subtle.sign('Ed25519', signing, message as BufferSource)),
    clientId: p.client.clientId,
    challenge: p.work.icChallenge,
    now: ctx.clock.now(),
  });
}

/** Carries out an approved request. Nothing is written here: the caller writes `ops` at once. */
export function complete(p: PendingRecord, ctx: AuthContext): Promise<Completion> {
  switch (p.work.kind) {
    case 'register':
      return register(p, p.work, ctx);
    case 'key_a':
      return keyA(p, ctx);
    case 'key_b':
      return keyB(p, ctx);
    case 'data':
      return data(p, ctx);
  }
}
