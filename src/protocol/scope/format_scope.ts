import { parseScope, type ScopeInput } from './parse_scope.js';

/**
 * The wire form of a scope: its normal form (see {@link parseScope}) joined by single spaces, as
 * the `scope` parameter of RFC 6749 §3.3 and the `scope` claim of RFC 8693 §4.2.
 *
 * @throws DiscoError `ERR_SCOPE_INVALID` when a token is not a valid scope token.
 */
export function formatScope(scope: ScopeInput): string {
  return parseScope(scope).join(' ');
}
