import type { PendingRecord, RuleRecord } from './records.js';
import { COLLECTIONS } from './records.js';
import type { Store } from '../storage/store.js';

/**
 * A rule the person made ("always allow this client this scope") covers a request when it is for
 * the same client and kind, asks for no more than the rule's scope, and, for key B, names the
 * same audience. Register requests always ask.
 */
export async function findRule(store: Store, p: PendingRecord): Promise<RuleRecord | undefined> {
  if (p.kind === 'register') return undefined;
  const rules = await store.list<RuleRecord>(COLLECTIONS.rules);
  return rules
    .map((r) => r.value)
    .find(
      (r) =>
        r.clientId === p.client.clientId &&
        r.kind === p.kind &&
        p.scope.every((s) => r.scope.includes(s)) &&
        (r.kind !== 'key_b' || r.audience === p.audience?.clientId),
    );
}
