export { createRelay, type Relay } from './create_relay.js';
export { startRelay, type StartRelayOptions, type RunningRelay } from './start_relay.js';
export {
  resolveRelayConfig,
  type RelayOptions,
  type RelayConfig,
  type TurnOptions,
} from './config.js';
export {
  localStackSwitches,
  relayOptionsFromEnv,
  RELAY_ENV,
  RELAY_RATE_ENV,
  RELAY_TURN_ENV,
} from './config_env.js';
export { DEFAULT_RATE_LIMITS, type RateLimitConfig } from './rate_limit_config.js';
export {
  jsonLogger,
  captureLogger,
  sampledLog,
  silentLogger,
  type Logger,
  type LogLevel,
  type LogEntry,
} from './log.js';
export type { PairingStore, PairingRecord, PairedDevice, PairOutcome } from './pairing_store.js';
export { MemoryPairingStore } from './memory_pairing_store.js';
export {
  addressKind,
  addressAllowed,
  checkCallbackUrl,
  type ResolveHost,
} from './address_guard.js';
export { CLIENT_CERTIFICATE_HEADER } from './client_certificate.js';
export { UID_ALPHABET, UID_BITS, displayUid, parseUid } from './uid.js';
export { currentIceConfig } from './ice_servers.js';
export { guardProcess } from './process_guard.js';
