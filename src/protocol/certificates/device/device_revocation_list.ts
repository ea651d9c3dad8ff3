import type { RevocationList } from '../revocation_list.js';
import { signRevocationList } from '../sign_revocation_list.js';
import type { CapabilityDeps, DeviceSigner } from './deps.js';
import { CAP_COLLECTIONS, REVOCATION_STATE_KEY, type RevocationState } from './records.js';

/**
 * The device's signed revocation list as of now (docs/wire/certificates.md "Freshness window"): the
 * stored sequence, ids and subjects, re-signed on every call with a new `iat`, so a verifier that asks
 * gets a list younger than its 300 s window. A device that never revoked answers sequence 0,
 * an empty list.
 */
export async function deviceRevocationList(
  deps: Pick<CapabilityDeps, 'store' | 'clock'> & { device: DeviceSigner },
): Promise<RevocationList> {
  const state = await deps.store.get<RevocationState>(
    CAP_COLLECTIONS.revocations,
    REVOCATION_STATE_KEY,
  );
  return signRevocationList(
    {
      issuer: deps.device.issuer,
      sequence: state?.sequence ?? 0,
      revoked: state?.revoked ?? [],
      revokedSubjects: state?.revokedSubjects ?? [],
    },
    deps.device.sign,
    deps.clock.now(),
  );
}
