/**
 * The device's signed revocation list (docs/wire/certificates.md "Revocation"): every certificate id it
 * has revoked and not yet seen expire, a sequence number that grows with every change, and the
 * time it was signed. The device re-signs the same list (same `sequence`, later `issuedAt`)
 * whenever it is asked, so a verifier can tell a fresh list from a replayed old one.
 */
export interface RevocationList {
  readonly id: string;
  readonly bytes: Uint8Array;
  readonly issuer: Uint8Array;
  readonly sequence: number;
  readonly issuedAt: number;
  /** Revoked certificate ids (base64url), in canonical (bytewise ascending) order. */
  readonly revoked: readonly string[];
}

export type RevocationListInput = Omit<RevocationList, 'id' | 'bytes' | 'issuedAt'>;

export const REVOCATION_FIELDS = ['iss', 'seq', 'iat', 'ids'] as const;
