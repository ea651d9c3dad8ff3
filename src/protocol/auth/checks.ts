import { DiscoError } from '../errors/index.js';

/**
 * One row of an operation's table of checks (the layout of node-oidc-provider's actions): what
 * the rule is, whether the input passes it, and the refusal when it does not. Rows run in order
 * and the first that fails answers, so the order of a table is part of the wire behaviour.
 */
export type Check<T> = readonly [
  rule: string,
  passes: (input: T) => boolean | Promise<boolean>,
  refusal: () => DiscoError,
];

/** Runs a table of checks top to bottom; throws the first failing row's refusal. */
export async function runChecks<T>(table: readonly Check<T>[], input: T): Promise<void> {
  for (const [, passes, refusal] of table) if (!(await passes(input))) throw refusal();
}

export const malformed = (why: string): DiscoError => new DiscoError('ERR_REQUEST_MALFORMED', why);

/** A string claim of 1 to `max` characters (matching `pattern` when given). */
export const isText = (v: unknown, max: number, pattern?: RegExp): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max && (!pattern || pattern.test(v));

/** Reads a string claim, or `ERR_REQUEST_MALFORMED` naming it. */
export function text(v: unknown, max: number, what: string, pattern?: RegExp): string {
  if (!isText(v, max, pattern)) throw malformed(`${what} is missing or malformed.`);
  return v;
}

/** Client ids: `[A-Za-z0-9._:-]{1,128}` (docs/wire/engine.md, Parameters). */
export const CLIENT_ID = /^[A-Za-z0-9._:-]+$/;
