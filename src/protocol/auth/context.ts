import type { DecisionSignal } from './decision_signal.js';
import type { Clock, Random } from '../encoding/index.js';
import type { DeviceKeys, IdentityRecord } from '../identity/identity.js';
import type { Store } from '../storage/store.js';
import type { CertificateCache, ParsedCertificate } from '../x509/index.js';
import type { PendingRecord } from './records.js';

/** The side effects the host (service worker, page, test) hands the device's endpoints. */
export interface HostDeps {
  store: Store;
  clock: Clock;
  random: Random;
  /** The device app's origin, e.g. `https://disco.example` (for disco-configuration). */
  origin: string;
  /** Called when a request starts waiting for the person. */
  notify?: (pending: PendingRecord) => void;
  /** Called when one of the person's rules answered a request (no card was shown). */
  answeredByRule?: (request: PendingRecord) => void;
  /**
   * Parsed client certificates and trust anchors, kept between requests (bytes → parse result
   * only; every check still runs on every request). Default: one cache shared by the process.
   */
  certificates?: CertificateCache;
  /** Wakes long-polls when the person decides (decision_signal.ts); without it, no long-poll. */
  decisions?: DecisionSignal;
  /** Called when a company withdrew a request still waiting (withdraw.ts): its card goes. */
  withdrawn?: (pending: PendingRecord) => void;
}

/** Everything an engine step may use; built once per request from the host's deps. */
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
  answeredByRule?: (request: PendingRecord) => void;
  decisions?: DecisionSignal;
  withdrawn?: (pending: PendingRecord) => void;
}
