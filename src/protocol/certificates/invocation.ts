import type { Action } from './capabilities.js';

/**
 * One use of a capability (UCAN 1.0 invocation, in spirit): the app signs, with the certificate
 * subject's key, which resource and action it performs, for which verifier (`audience`), over
 * which payload (`digest`), naming the certificate chain it relies on. It lives at most
 * 5 minutes and verifiers remember its id until then, so it cannot be replayed.
 */
export interface Invocation {
  readonly id: string;
  readonly invoker: Uint8Array;
  /** The verifier's origin, e.g. `https://notes.example`. */
  readonly audience: string;
  readonly resource: string;
  readonly action: Exclude<Action, '*'>;
  /** SHA-256 of the payload this use carries (the note's text), if any. */
  readonly digest?: Uint8Array;
  /** The ids of the certificate chain, root first. */
  readonly proofs: readonly string[];
  readonly nonce: Uint8Array;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export type InvocationInput = Omit<Invocation, 'id' | 'issuedAt' | 'expiresAt'>;

export const INVOCATION_FIELDS = [
  'iss',
  'aud',
  'res',
  'act',
  'dig',
  'prf',
  'nonce',
  'iat',
  'exp',
] as const;
