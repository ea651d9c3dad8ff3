import { DiscoError } from '../errors/index.js';

/**
 * One scope token. RFC 6749 §3.3 allows any printable ASCII but `"` and `\`; Disco narrows that to
 * lower-case letters, digits and `_ : . -` so a token never needs escaping and never contains a
 * separator (neither the space of RFC 6749 nor the `+` of the seed's `key_b+address` form).
 */
export const SCOPE_TOKEN_PATTERN = /^[a-z0-9_:.-]+$/;
export const MAX_SCOPE_TOKEN_LENGTH = 64;
export const MAX_SCOPE_TOKENS = 32;

/** A scope as callers hand it in: `"key_b address"`, the seed's `"key_b+address"`, or a list. */
export type ScopeInput = string | readonly string[];

// Bounds the work done before any token is looked at: every token plus one separator.
const MAX_SCOPE_STRING_LENGTH = MAX_SCOPE_TOKENS * (MAX_SCOPE_TOKEN_LENGTH + 1);

function invalid(message: string): DiscoError {
  return new DiscoError('ERR_SCOPE_INVALID', message);
}

/**
 * Parses a scope (RFC 6749 §3.3) into its normal form: de-duplicated, sorted, at least one token.
 * Accepts the space-separated form, the seed's `+`-separated form (either separator, no empty
 * tokens) and arrays of single tokens. At most {@link MAX_SCOPE_TOKENS} tokens (counted before
 * de-duplication) of at most {@link MAX_SCOPE_TOKEN_LENGTH} characters each.
 *
 * @throws DiscoError `ERR_SCOPE_INVALID` for anything else.
 */
export function parseScope(input: ScopeInput): string[] {
  let tokens: readonly unknown[];
  if (typeof input === 'string') {
    if (input.length > MAX_SCOPE_STRING_LENGTH) throw invalid('scope is too long');
    tokens = input.split(/[ +]/);
  } else if (Array.isArray(input)) {
    tokens = input;
  } else {
    throw invalid('scope must be a string or an array of strings');
  }
  if (tokens.length === 0) throw invalid('scope is empty');
  if (tokens.length > MAX_SCOPE_TOKENS) {
    throw invalid(`scope has more than ${MAX_SCOPE_TOKENS} tokens`);
  }
  for (const token of tokens) {
    if (typeof token !== 'string') throw invalid('scope tokens must be strings');
    if (token.length > MAX_SCOPE_TOKEN_LENGTH) throw invalid('scope token is too long');
    if (!SCOPE_TOKEN_PATTERN.test(token)) {
      throw invalid('scope token is empty or has a bad character');
    }
  }
  return [...new Set(tokens as readonly string[])].sort();
}
