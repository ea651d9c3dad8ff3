import { b64u } from '../encoding/index.js';
import { sealEnvelope, TAGS, type Signer } from './envelope.js';
import { secondsOf } from './limits.js';
import { compareBytes, parseRevocationList } from './parse_revocation_list.js';
import type { RevocationListInput } from './revocation_list.js';

/**
 * Signs the device's revocation list with its identity key, issued `now` (milliseconds). Ids are
 * sorted and deduplicated here, so the same set always gives the same bytes.
 */
export async function signRevocationList(input: RevocationListInput, sign: Signer, now: number) {
  const ids = [...new Set(input.revoked)].map((id) => b64u.decode(id)).sort(compareBytes);
  const { bytes } = await sealEnvelope(
    TAGS.revocations,
    { iss: input.issuer, seq: input.sequence, iat: secondsOf(now), ids },
    sign,
  );
  return parseRevocationList(bytes, { now });
}
