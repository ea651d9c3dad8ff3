import { DiscoError } from '../errors/index.js';
import { sameBytes } from './cbor.js';
import { sameRevocations, type RevocationList } from './revocation_list.js';

/**
 * Which list a verifier keeps when a new one arrives for `issuer` (the device key it trusts) (docs/wire/certificates.md
 * "Revocation"): a lower sequence is a rollback (an attacker or a stale cache replaying an old
 * list without a later revocation) and refused; the same sequence must carry the same ids and subjects (two
 * different lists under one number means the issuer misbehaved) and the later `issuedAt` wins;
 * a higher sequence replaces the list.
 */
export function acceptRevocationList(
  issuer: Uint8Array,
  current: RevocationList | undefined,
  incoming: RevocationList,
): RevocationList {
  // A list signed by another key says nothing about this issuer's certificates, even as a first list.
  if (!sameBytes(issuer, incoming.issuer) || (current && !sameBytes(issuer, current.issuer))) {
    throw new DiscoError('ERR_CAP_UNTRUSTED_ISSUER', 'revocations: another issuer');
  }
  if (current === undefined) return incoming;
  if (incoming.sequence < current.sequence) {
    throw new DiscoError('ERR_CAP_REVOCATIONS_ROLLBACK', 'revocations: older sequence number');
  }
  if (incoming.sequence === current.sequence) {
    if (!sameRevocations(incoming, current)) {
      throw new DiscoError('ERR_CAP_REVOCATIONS_ROLLBACK', 'revocations: two lists, one sequence');
    }
    return incoming.issuedAt > current.issuedAt ? incoming : current;
  }
  return incoming;
}
