import { b64u } from '../encoding/index.js';
import { DiscoError } from '../errors/index.js';
import { openEnvelope, TAGS, verifyEd25519 } from './envelope.js';
import { keyField, onlyFields, timeField } from './fields.js';
import { CAPABILITY_LIMITS, secondsOf } from './limits.js';
import { REVOCATION_FIELDS, type RevocationList } from './revocation_list.js';

const malformed = (why: string) => new DiscoError('ERR_CAP_MALFORMED', `revocations: ${why}`);

/**
 * Parses a revocation list and checks its signature by `iss`. Ids must be 32 bytes, strictly
 * ascending (one encoding per set), at most 1000; a list signed in the future (beyond the skew)
 * is refused. Whether the list is fresh enough is the verifier's check.
 */
export async function parseRevocationList(
  input: Uint8Array,
  opts: { now: number },
): Promise<RevocationList> {
  const opened = await openEnvelope(
    input,
    TAGS.revocations,
    CAPABILITY_LIMITS.maxRevocationListBytes,
  );
  const body = opened.body;
  onlyFields(body, REVOCATION_FIELDS);
  const ids = body.ids;
  if (!Array.isArray(ids)) throw malformed('ids: a list');
  if (ids.length > CAPABILITY_LIMITS.maxRevokedIds) {
    throw new DiscoError('ERR_CAP_TOO_LARGE', 'revocations: more than 1000 ids');
  }
  ids.forEach((id, i) => {
    if (!(id instanceof Uint8Array) || id.length !== 32) throw malformed('ids: 32-byte ids');
    if (i > 0 && compareBytes(ids[i - 1] as Uint8Array, id) >= 0)
      throw malformed('ids: ascending, no repeats');
  });
  const list: RevocationList = {
    id: opened.id,
    bytes: input,
    issuer: keyField(body, 'iss'),
    sequence: timeField(body, 'seq'),
    issuedAt: timeField(body, 'iat'),
    revoked: (ids as Uint8Array[]).map((id) => b64u.encode(id)),
  };
  if (list.issuedAt > secondsOf(opts.now) + CAPABILITY_LIMITS.skew) {
    throw new DiscoError('ERR_CAP_NOT_YET_VALID', 'revocations: signed in the future');
  }
  if (!(await verifyEd25519(list.issuer, opened.signed, opened.signature))) {
    throw new DiscoError('ERR_CAP_SIGNATURE_INVALID', 'revocations: not signed by its issuer');
  }
  return list;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
