import { b64u } from '../encoding/index.js';
import { DiscoError } from '../errors/index.js';
import type { CapValue } from './cbor.js';
import { openEnvelope, TAGS, verifyEd25519 } from './envelope.js';
import { keyField, onlyFields, timeField } from './fields.js';
import { CAPABILITY_LIMITS, secondsOf } from './limits.js';
import { REVOCATION_FIELDS, type RevocationList } from './revocation_list.js';

const malformed = (why: string) => new DiscoError('ERR_CAP_MALFORMED', `revocations: ${why}`);

/**
 * Parses a revocation list and checks its signature by `iss` (docs/wire/certificates.md
 * "Revocation list"). Ids must be 32 bytes, strictly ascending (one encoding per set), at most
 * 1000; subjects (`subs`, optional, never empty) 32-byte keys under the same rule, at most 100;
 * a list signed in the future (beyond the skew) is refused. Whether the list is fresh enough is
 * the verifier's check.
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
  const ids = sortedBytes(body.ids, 'ids', CAPABILITY_LIMITS.maxRevokedIds);
  // An empty `subs` would be a second encoding of "no subject revoked": absent is the only one.
  if (Array.isArray(body.subs) && body.subs.length === 0) {
    throw new DiscoError('ERR_CAP_NON_CANONICAL', 'revocations: subs is absent when empty');
  }
  const subs =
    body.subs === undefined
      ? []
      : sortedBytes(body.subs, 'subs', CAPABILITY_LIMITS.maxRevokedSubjects);
  const list: RevocationList = {
    id: opened.id,
    bytes: input,
    issuer: keyField(body, 'iss'),
    sequence: timeField(body, 'seq'),
    issuedAt: timeField(body, 'iat'),
    revoked: ids.map((id) => b64u.encode(id)),
    revokedSubjects: subs.map((key) => b64u.encode(key)),
  };
  if (list.issuedAt > secondsOf(opts.now) + CAPABILITY_LIMITS.skew) {
    throw new DiscoError('ERR_CAP_NOT_YET_VALID', 'revocations: signed in the future');
  }
  if (!(await verifyEd25519(list.issuer, opened.signed, opened.signature))) {
    throw new DiscoError('ERR_CAP_SIGNATURE_INVALID', 'revocations: not signed by its issuer');
  }
  return list;
}

/** 32-byte values, strictly ascending, at most `max` (ERR_CAP_TOO_LARGE past it). */
function sortedBytes(value: CapValue | undefined, name: string, max: number): Uint8Array[] {
  if (!Array.isArray(value)) throw malformed(`${name}: a list`);
  if (value.length > max) {
    throw new DiscoError('ERR_CAP_TOO_LARGE', `revocations: more than ${max} ${name}`);
  }
  value.forEach((v, i) => {
    if (!(v instanceof Uint8Array) || v.length !== 32) throw malformed(`${name}: 32 bytes each`);
    if (i > 0 && compareBytes(value[i - 1] as Uint8Array, v) >= 0)
      throw malformed(`${name}: ascending, no repeats`);
  });
  return value as Uint8Array[];
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
