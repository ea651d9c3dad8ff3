/**
 * The device's signed revocation list (docs/wire/certificates.md "Revocation"): every certificate id it
 * has revoked and not yet seen expire, every subject (an app's key) all of whose certificates it
 * revoked, a sequence number that grows with every change, and the time it was signed. The
 * device re-signs the same list (same `sequence`, later `issuedAt`) whenever it is asked, so a
 * verifier can tell a fresh list from a replayed old one.
 */
export interface RevocationList {
  readonly id: string;
  readonly bytes: Uint8Array;
  readonly issuer: Uint8Array;
  readonly sequence: number;
  readonly issuedAt: number;
  /** Revoked certificate ids (base64url), in canonical (bytewise ascending) order. */
  readonly revoked: readonly string[];
  /**
   * Revoked subjects (raw Ed25519 keys, base64url), in canonical order: every certificate issued
   * to such a key, and every delegation it signed, is refused. Empty when the list has no `subs`.
   */
  readonly revokedSubjects: readonly string[];
}

export type RevocationListInput = Omit<
  RevocationList,
  'id' | 'bytes' | 'issuedAt' | 'revokedSubjects'
> & { readonly revokedSubjects?: readonly string[] };

/** `subs` is optional: absent when no subject is revoked, so older lists keep their bytes. */
export const REVOCATION_FIELDS = ['iss', 'seq', 'iat', 'ids', 'subs'] as const;

/** Whether two lists revoke the same ids and subjects (both are kept in canonical order). */
export function sameRevocations(
  a: Pick<RevocationList, 'revoked' | 'revokedSubjects'>,
  b: Pick<RevocationList, 'revoked' | 'revokedSubjects'>,
): boolean {
  const same = (x: readonly string[], y: readonly string[]) =>
    x.length === y.length && x.every((v, i) => v === y[i]);
  return same(a.revoked, b.revoked) && same(a.revokedSubjects, b.revokedSubjects);
}
