import { DiscoError } from '../../errors/index.js';
import type { WriteOp } from '../../storage/index.js';
import { planRevocationSync, type RevocationCounter } from '../adopt_revocations.js';
import { parseRevocationList } from '../parse_revocation_list.js';
import type { CapabilityDeps, DeviceSigner } from './deps.js';
import { deviceRevocationList } from './device_revocation_list.js';
import {
  CAP_COLLECTIONS,
  REVOCATION_STATE_KEY,
  type IssuedCertificateRecord,
  type RevocationState,
} from './records.js';

/** The relay's cache of this device's list (`<relay>/capability/revocations/<peer id>`). */
export interface RevocationRelay {
  /** The relay's copy (the envelope), or undefined when it holds none. */
  get(): Promise<Uint8Array | undefined>;
  /** `PUT`: `rollback` when the relay holds a higher sequence, or other ids under this one. */
  put(envelope: Uint8Array): Promise<'taken' | 'rollback'>;
}

export type PublishOutcome = 'published' | 'unchanged' | 'adopted';

type Deps = Pick<CapabilityDeps, 'store' | 'clock'> & {
  device: DeviceSigner;
  relay: RevocationRelay;
};

/**
 * Publishes the device's revocation list to the relay's cache (docs/wire/certificates.md "Publishing").
 * After a revocation (`askFirst: false`) it puts the list at once. When the device comes online or
 * has restored a backup (`askFirst: true`) it first reads the relay's copy and puts only when that
 * is missing or older. Either way, when the relay holds a newer list (a backup older than the last
 * revocation brought back a lower sequence), the device checks that copy is signed by its own key,
 * adopts it (`planRevocationSync`: the union of ids and of subjects, never un-revoking), marks the certificates
 * it names as revoked, and puts the result. Returns `adopted` then.
 */
export async function publishDeviceRevocations(
  deps: Deps,
  opts: { askFirst: boolean },
): Promise<PublishOutcome> {
  if (opts.askFirst) {
    const { plan, state } = await planAgainstRelay(deps);
    if (plan.action === 'none') return 'unchanged';
    if (plan.action === 'publish') {
      if ((await put(deps)) === 'taken') return 'published';
    } else {
      await adopt(deps, state, plan.next);
      await putOrFail(deps);
      return 'adopted';
    }
  } else if ((await put(deps)) === 'taken') {
    return 'published';
  }
  // Told rollback: the relay's copy is newer than ours.
  const { plan, state } = await planAgainstRelay(deps);
  if (plan.action === 'adopt') await adopt(deps, state, plan.next);
  await putOrFail(deps);
  return 'adopted';
}

async function put(deps: Deps): Promise<'taken' | 'rollback'> {
  return deps.relay.put((await deviceRevocationList(deps)).bytes);
}

async function putOrFail(deps: Deps): Promise<void> {
  if ((await put(deps)) !== 'taken') {
    throw new DiscoError('ERR_CAP_REVOCATIONS_ROLLBACK', 'The relay still holds a newer list.');
  }
}

async function planAgainstRelay(deps: Deps) {
  const state = await readState(deps);
  const held = await deps.relay.get();
  const relayList = held && (await parseRevocationList(held, { now: deps.clock.now() }));
  const local = state ?? { sequence: 0, revoked: [] };
  return { state, plan: planRevocationSync(deps.device.issuer, local, relayList) };
}

function readState(deps: Pick<Deps, 'store'>): Promise<RevocationState | undefined> {
  return deps.store.get<RevocationState>(CAP_COLLECTIONS.revocations, REVOCATION_STATE_KEY);
}

/**
 * Takes `next` in one write, guarded by the sequence the plan was made from (a revocation in
 * between makes the write fail rather than lose it), and marks the certificates of this device
 * that it names, by id or by subject, as revoked, so Connections shows them so.
 */
async function adopt(
  deps: Deps,
  state: RevocationState | undefined,
  next: RevocationCounter,
): Promise<void> {
  const now = deps.clock.now();
  const value: RevocationState = {
    sequence: next.sequence,
    revoked: [...next.revoked],
    ...(next.revokedSubjects?.length ? { revokedSubjects: [...next.revokedSubjects] } : {}),
  };
  const ids = new Set(next.revoked);
  const subjects = new Set(next.revokedSubjects);
  const certificates = await deps.store.list<IssuedCertificateRecord>(CAP_COLLECTIONS.certificates);
  const marks: WriteOp[] = certificates
    .filter(
      (c) => (ids.has(c.key) || subjects.has(c.value.subject)) && c.value.revokedAt === undefined,
    )
    .map((c) => ({
      op: 'put',
      collection: CAP_COLLECTIONS.certificates,
      key: c.key,
      value: { ...c.value, revokedAt: now } satisfies IssuedCertificateRecord,
    }));
  const where = { collection: CAP_COLLECTIONS.revocations, key: REVOCATION_STATE_KEY };
  await deps.store.write([
    state
      ? { op: 'expect', ...where, where: { sequence: state.sequence } }
      : { op: 'add', ...where, value },
    { op: 'put', ...where, value },
    ...marks,
  ]);
}
