import { b64u } from '../encoding/index.js';
import { sealEnvelope, TAGS, type Signer } from './envelope.js';
import { optional } from './fields.js';
import { secondsOf } from './limits.js';
import { compareBytes, parseRevocationList } from './parse_revocation_list.js';
import type { RevocationListInput } from './revocation_list.js';

const canonical = (values: readonly string[]) =>
  [...new Set(values)].map((v) => b64u.decode(v)).sort(compareBytes);

/**
 * Signs the device's revocation list with its identity key, issued `now` (milliseconds)
 * (docs/wire/certificates.md "Revocation list"). Ids and subjects are sorted and deduplicated
 * here, so the same sets always give the same bytes; `subs` is left out when no subject is
 * revoked, so a list without one is byte for byte what it was before `subs` existed.
 */
export async function signRevocationList(input: RevocationListInput, sign: Signer, now: number) {
  const subs = canonical(input.revokedSubjects ?? []);
  const { bytes } = await sealEnvelope(
    TAGS.revocations,
    {
      iss: input.issuer,
      seq: input.sequence,
      iat: secondsOf(now),
      ids: canonical(input.revoked),
      ...optional('subs', subs.length > 0 ? subs : undefined),
    },
    sign,
  );
  return parseRevocationList(bytes, { now });
}
