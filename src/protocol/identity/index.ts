export * from './identity.js';
export { deviceIdOf, fingerprintOf } from './device_id.js';
export { createIdentity, type CreateIdentityOptions } from './create_identity.js';
export { unwrapIdentity } from './unwrap_identity.js';
export { parseIdentityRecord } from './parse_identity.js';
export { setupDevice, loadDevice } from './setup_device.js';
export {
  checkPassphrase,
  PASSPHRASE_MIN_LENGTH,
  PBKDF2_ITERATIONS,
  PBKDF2_MIN_ITERATIONS,
} from './passphrase_key.js';
