import { isDiscoError } from '../protocol/errors/index.js';

/**
 * The stable code a promise fails with: the DiscoError's `code`; `resolved` when it does not
 * fail; `not a DiscoError: …` for any other failure (so a test expecting a code fails then too).
 */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    return isDiscoError(err) ? err.code : `not a DiscoError: ${String(err)}`;
  }
}

/**
 * The code `fn` fails with, whether it throws at once or returns a promise that rejects;
 * `undefined` when it succeeds; `not a DiscoError: …` for any other failure.
 */
export async function codeOfCall(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
  } catch (err) {
    return isDiscoError(err) ? err.code : `not a DiscoError: ${String(err)}`;
  }
  return undefined;
}
