import { DiscoError } from '../errors/index.js';
import { loadDevice } from '../identity/setup_device.js';
import { createCertificateCache, type ParsedCertificate } from '../x509/index.js';
import type { AuthContext, HostDeps } from './context.js';
import { COLLECTIONS } from './records.js';

/** Settings key holding the PEM certificates of authorities the person trusts for clients. */
export const TRUST_ANCHORS_KEY = 'trust_anchors';

/**
 * The cache for hosts that bring none (the service worker, the page): one per JavaScript realm.
 * It holds only what parsing public certificates yields, so sharing it between devices or
 * stores changes no answer (see `CertificateCache`).
 */
const sharedCertificates = createCertificateCache();

/** Builds the context of one request: the device keys, the trust anchors, the host's effects. */
export async function loadContext(deps: HostDeps): Promise<AuthContext> {
  const device = await loadDevice(deps.store);
  if (!device) throw new DiscoError('ERR_IDENTITY_MISSING', 'This device has not been set up yet.');
  const certificates = deps.certificates ?? sharedCertificates;
  const pems = (await deps.store.get<string[]>(COLLECTIONS.settings, TRUST_ANCHORS_KEY)) ?? [];
  const anchors: ParsedCertificate[] = [];
  for (const pem of pems) anchors.push(await certificates.parse(pem));
  return {
    store: deps.store,
    clock: deps.clock,
    random: deps.random,
    identity: device.identity,
    keys: device.keys,
    anchors,
    certificates,
    ...(deps.notify ? { notify: deps.notify } : {}),
    ...(deps.answeredByRule ? { answeredByRule: deps.answeredByRule } : {}),
    ...(deps.decisions ? { decisions: deps.decisions } : {}),
    ...(deps.withdrawn ? { withdrawn: deps.withdrawn } : {}),
  };
}
