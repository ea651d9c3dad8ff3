import { b64u, type Random } from '../../encoding/index.js';
import type { WriteOp } from '../../storage/index.js';
import type { Capability } from '../capabilities.js';
import { ACTIVITY_COLLECTION, type CapabilityActivityRecord } from './records.js';

/** `create https://notes.example/notes/*`: one line per capability, for Activity. */
export const scopeOf = (capabilities: readonly Capability[]) =>
  capabilities.map((c) => `${c.actions.join(',')} ${c.resource}`);

/** The write that logs an issue or a revocation, keyed by time so Activity sorts it. */
export function activityOp(
  entry: Omit<CapabilityActivityRecord, 'id' | 'at' | 'decidedBy'>,
  at: number,
  random: Random,
): WriteOp {
  const id = b64u.encode(random(16));
  const value: CapabilityActivityRecord = { ...entry, id, at, decidedBy: 'person' };
  return {
    op: 'put',
    collection: ACTIVITY_COLLECTION,
    key: `${String(at).padStart(15, '0')}-${id}`,
    value,
  };
}
