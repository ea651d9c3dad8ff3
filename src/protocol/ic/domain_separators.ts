/**
 * Domain separators: one length byte, then the ASCII name (interface spec §Signatures:
 * "their first byte indicates their length"). Values checked against the spec's own byte counts.
 */
const separator = (name: string): Uint8Array =>
  new Uint8Array([name.length, ...new TextEncoder().encode(name)]);

/** `\x0Aic-request`, for `sender_sig` (11 bytes). */
export const IC_REQUEST = separator('ic-request');
/** `\x0Bic-response`, for signed query responses (12 bytes). */
export const IC_RESPONSE = separator('ic-response');
/** `\x1Aic-request-auth-delegation`, for delegation signatures (27 bytes). */
export const IC_REQUEST_AUTH_DELEGATION = separator('ic-request-auth-delegation');
/** `\x0Dic-state-root`, for the BLS signature on a certificate's root hash (14 bytes). */
export const IC_STATE_ROOT = separator('ic-state-root');
export const IC_HASHTREE_EMPTY = separator('ic-hashtree-empty');
export const IC_HASHTREE_FORK = separator('ic-hashtree-fork');
export const IC_HASHTREE_LABELED = separator('ic-hashtree-labeled');
export const IC_HASHTREE_LEAF = separator('ic-hashtree-leaf');

/** separator · message, the signed payload. */
export function withSeparator(separator: Uint8Array, message: Uint8Array): Uint8Array {
  const out = new Uint8Array(separator.length + message.length);
  out.set(separator);
  out.set(message, separator.length);
  return out;
}
