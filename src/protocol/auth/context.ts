import type { Clock, Random } from '../encoding/index.js';
import type { DeviceKeys, IdentityRecord } from '../identity/identity.js';
import type { Store } from '../storage/store.js';
import type { CertificateCache, ParsedCertificate } from '../x509/index.js';
import type { PendingRecord } from './records.js';

/** Everything an engine step may use; built once per request by the host. */
export interface AuthContext {
  store: Store;
  clock: Clock;
  random: Random;
  identity: IdentityRecord;
  keys: DeviceKeys;
  /** Certificate authorities the person trusts for client certificates. */
  anchors: readonly ParsedCertificate[];
  /** Parses certificates (client, pinned, anchors), keeping the results between requests. */
  certificates: CertificateCache;
  /** Tells the person's open pages (and the OS) that a request waits. */
  notify?: (pending: PendingRecord) => void;
}
