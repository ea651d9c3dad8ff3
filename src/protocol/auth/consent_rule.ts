import type { Random } from '../encoding/index.js';
import type { Store } from '../storage/store.js';
import { newId } from './ids.js';
import { COLLECTIONS, type ClientRecord, type PendingRecord, type RuleRecord } from './records.js';

/**
 * A rule the person made ("always allow this client this scope") covers a request when it is for
 * the same client and kind and asks for no more than the rule's scope. A key B rule also names
 * the audience and its certificate: it covers only that audience, registered now with that very
 * certificate, so a key B for an audience that is not registered yet, or bound to another
 * certificate, always asks the person (issue #12, 5). Register requests always ask.
 */
export async function findRule(store: Store, p: PendingRecord): Promise<RuleRecord | undefined> {
  if (p.kind === 'register') return undefined;
  if (p.kind === 'key_b') {
    const audience = p.audience
      ? await store.get<ClientRecord>(COLLECTIONS.clients, p.audience.clientId)
      : undefined;
    if (!audience || audience.certificate.thumbprint !== p.audience?.thumbprint) return undefined;
  }
  const rules = await store.list<RuleRecord>(COLLECTIONS.rules);
  return rules
    .map((r) => r.value)
    .find(
      (r) =>
        r.clientId === p.client.clientId &&
        r.kind === p.kind &&
        p.scope.every((s) => r.scope.includes(s)) &&
        (r.kind !== 'key_b' ||
          (r.audience === p.audience?.clientId && r.audienceThumbprint === p.audience?.thumbprint)),
    );
}

/**
 * The rule an "always allow" approval makes: this client, this kind, this scope, and for key B
 * this audience with this certificate. None for register.
 */
export function ruleFrom(p: PendingRecord, now: number, random: Random): RuleRecord | undefined {
  if (p.kind === 'register') return undefined;
  return {
    id: newId(random),
    clientId: p.client.clientId,
    kind: p.kind,
    scope: p.scope,
    ...(p.kind === 'key_b' && p.audience
      ? { audience: p.audience.clientId, audienceThumbprint: p.audience.thumbprint }
      : {}),
    createdAt: now,
  };
}
