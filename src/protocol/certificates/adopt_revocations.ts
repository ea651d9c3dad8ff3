import { DiscoError } from '../errors/index.js';
import { sameBytes } from './cbor.js';
import { CAPABILITY_LIMITS } from './limits.js';
import { optional } from './fields.js';
import type { RevocationList } from './revocation_list.js';

/** The device's own sequence, revoked ids and revoked subjects (absent when none), as it stores them. */
export interface RevocationCounter {
  readonly sequence: number;
  readonly revoked: readonly string[];
  readonly revokedSubjects?: readonly string[];
}

/**
 * What the device does once it has seen the relay's copy of its own list
 * (docs/wire/certificates.md "Publishing"):
 * - `none`: the relay holds this very list (same sequence, same ids); it refreshes it itself;
 * - `publish`: the relay has nothing, or a lower sequence;
 * - `adopt`: the relay holds a higher sequence, or other ids under this one (a backup restored
 *   after later revocations): the device takes `next` and publishes that.
 */
export type RevocationSyncPlan =
  | { readonly action: 'none' }
  | { readonly action: 'publish' }
  | { readonly action: 'adopt'; readonly next: RevocationCounter };

/**
 * Decides how the device's list and the relay's copy of it meet, never un-revoking anything: an
 * adopted list is the union of both sets of ids and of both sets of subjects, under the relay's
 * sequence when that union is exactly the relay's list and the device's own was lower (the same
 * list, signed again), else under the higher sequence + 1, so every verifier that saw either
 * list takes the new one (`acceptRevocationList`).
 * ERR_CAP_UNTRUSTED_ISSUER when the relay's copy is not signed by `issuer` (this device's key);
 * ERR_TOO_LARGE when the union passes 1000 ids or 100 subjects.
 */
export function planRevocationSync(
  issuer: Uint8Array,
  local: RevocationCounter,
  relay: RevocationList | undefined,
): RevocationSyncPlan {
  if (relay === undefined) return { action: 'publish' };
  if (!sameBytes(issuer, relay.issuer)) {
    throw new DiscoError('ERR_CAP_UNTRUSTED_ISSUER', "revocations: not this device's list");
  }
  const localSubjects = local.revokedSubjects ?? [];
  const sameAsRelay = (ids: readonly string[], subjects: readonly string[]) =>
    sameSet(ids, relay.revoked) && sameSet(subjects, relay.revokedSubjects);
  if (relay.sequence < local.sequence) return { action: 'publish' };
  if (relay.sequence === local.sequence && sameAsRelay(local.revoked, localSubjects)) {
    return { action: 'none' };
  }
  const union = [...new Set([...relay.revoked, ...local.revoked])].sort();
  const subjects = [...new Set([...relay.revokedSubjects, ...localSubjects])].sort();
  if (
    union.length > CAPABILITY_LIMITS.maxRevokedIds ||
    subjects.length > CAPABILITY_LIMITS.maxRevokedSubjects
  ) {
    throw new DiscoError('ERR_TOO_LARGE', 'The revocation list is full.');
  }
  // Under the relay's sequence only if the device's own list had a lower one: a verifier that
  // saw the device's ids under the relay's number would refuse other ids under it.
  const same = relay.sequence > local.sequence && sameAsRelay(union, subjects);
  const sequence = same ? relay.sequence : relay.sequence + 1;
  return {
    action: 'adopt',
    next: { sequence, revoked: union, ...optional('revokedSubjects', nonEmpty(subjects)) },
  };
}

/** Same members, whatever the order (the device sorts by text, a signed list by bytes). */
function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(b);
  return new Set(a).size === set.size && a.every((v) => set.has(v));
}
const nonEmpty = <T>(values: readonly T[]) => (values.length > 0 ? values : undefined);
