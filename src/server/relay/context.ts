import type { RelayConfig } from './config.js';
import type { Lifecycle } from './lifecycle.js';
import type { Logger } from './log.js';
import type { PairingStore } from './pairing_store.js';
import type { RelayLimiters } from './rate_limits.js';

/** What the relay's handlers share. */
export interface RelayContext {
  readonly config: RelayConfig;
  readonly store: PairingStore;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
  readonly limiters: RelayLimiters;
  /** Whether a device can take a tunnelled request now (`isDeviceOnline`, else signalling). */
  readonly isDeviceOnline: (peerId: string) => boolean | Promise<boolean>;
}

/** How long a paired record stays readable for the RP's long-poll after the device took it. */
export const KEEP_AFTER_PAIRING_MS = 60_000;
