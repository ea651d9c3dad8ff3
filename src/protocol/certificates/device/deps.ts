import type { Clock, Random } from '../../encoding/index.js';
import type { Store } from '../../storage/index.js';
import type { Signer } from '../envelope.js';

/** The side effects of the device's capability operations. */
export interface CapabilityDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly random: Random;
}

/** The device identity key: its raw Ed25519 public key and a signer over its private half. */
export interface DeviceSigner {
  readonly issuer: Uint8Array;
  readonly sign: Signer;
}
