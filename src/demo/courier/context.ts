import type { Clock } from '../../protocol/encoding/index.js';
import type { Company } from '../common/company.js';
import type { Voice } from '../common/explain.js';
import type { InProgress } from '../common/in_progress.js';
import type { Delivery } from './delivery.js';

/** What the courier's handlers and deliveries share. */
export interface CourierContext extends Company {
  /** Relay base URLs a `proxy_url` may belong to, without a trailing slash. */
  relays: string[];
  clock: Clock;
  voice: Voice;
  /** Oldest first. */
  deliveries: Map<string, Delivery>;
  /** Deliveries kept; the oldest finished ones make room. */
  maxDeliveries: number;
  /** Deliveries in progress. */
  active: InProgress;
  /** SHA-256 of every key B handed over: each is used once, so a second handover is refused. */
  seenKeys: Set<string>;
  /** Per device id: registered, or registering (one registration shared by its deliveries). */
  registrations: Map<string, { done: boolean; promise: Promise<void> }>;
}
