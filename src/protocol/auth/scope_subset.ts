import { DiscoError } from '../errors/index.js';
import { RELEASABLE_FIELDS } from '../vault/fields.js';
import { KEY_B_SCOPE } from './policy.js';
import type { GrantRecord } from './records.js';

/**
 * Scope subsets: what each token may cover.
 *
 * | asks for | its scope must be                                                    | else                      |
 * | -------- | -------------------------------------------------------------------- | ------------------------- |
 * | key A    | `key_b` plus at least one field, every field a releasable field      | `ERR_SCOPE_INVALID`       |
 * | key B    | a subset of its key A's grant                                        | `ERR_SCOPE_EXCEEDS_GRANT` |
 * | data     | key B's scope, as recorded when it was issued (nothing to ask)       |                           |
 */

/** Key A's fields: the scope minus `key_b`, which it must hold. */
export function keyAFields(scope: readonly string[]): string[] {
  if (!scope.includes(KEY_B_SCOPE))
    throw new DiscoError('ERR_SCOPE_INVALID', `Ask for key A with "${KEY_B_SCOPE}" in the scope.`);
  const fields = scope.filter((s) => s !== KEY_B_SCOPE);
  const unknown = fields.filter((f) => !(RELEASABLE_FIELDS as readonly string[]).includes(f));
  if (fields.length === 0 || unknown.length)
    throw new DiscoError(
      'ERR_SCOPE_INVALID',
      `Unknown or missing fields: ${unknown.join(', ') || 'none asked'}.`,
    );
  return fields;
}

/** Key B may cover only fields its key A's grant covers. */
export function checkWithinGrant(scope: readonly string[], grant: GrantRecord): void {
  if (!scope.every((s) => grant.scope.includes(s)))
    // Errors travel unsealed: say nothing of what the grant covers (issue #12, 3).
    throw new DiscoError('ERR_SCOPE_EXCEEDS_GRANT', 'Key B may cover only fields key A covers.');
}
