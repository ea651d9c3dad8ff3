import type { Clock } from '../../protocol/encoding/index.js';
import { fingerprintOf } from '../../sdk/index.js';
import type { Problem } from '../common/explain.js';

export type DeliveryState =
  'received' | 'connecting' | 'registering' | 'requesting' | 'ready' | 'failed';

/** One delivery in `GET /api/deliveries` and the 202 answer of `POST /api/deliveries`. */
export interface DeliveryView {
  id: string;
  state: DeliveryState;
  /** One sentence for the dashboard. */
  status: string;
  created_at: string;
  updated_at: string;
  /** The customer's device, as people compare it. */
  device_fingerprint: string;
  label: { courier: string; delivery_id: string; address: string[] } | null;
  error: Problem | null;
}

/** A delivery as the courier keeps it; key B itself lives only in its `deliver` call. */
export interface Delivery {
  id: string;
  state: DeliveryState;
  createdAt: number;
  updatedAt: number;
  deviceId: string;
  proxyUrl: string;
  abort: AbortController;
  address?: string[];
  problem?: Problem;
}

export function touch(clock: Clock, d: Delivery, state: DeliveryState): void {
  d.state = state;
  d.updatedAt = clock.now();
}

function status(d: Delivery, courier: string): string {
  switch (d.state) {
    case 'received':
      return 'Received from the shop.';
    case 'connecting':
      return "Reaching the customer's Disco device through the relay…";
    case 'registering':
      return `Waiting for the customer to approve ${courier} on their Disco device.`;
    case 'requesting':
      return `Waiting for the customer to approve sharing their address with ${courier}.`;
    case 'ready':
      return 'Label ready to print.';
    case 'failed':
      return d.problem?.message ?? 'Failed.';
  }
}

/** The delivery as the dashboard sees it; `courier` is the courier's name for the label. */
export function deliveryView(courier: string, d: Delivery): DeliveryView {
  return {
    id: d.id,
    state: d.state,
    status: status(d, courier),
    created_at: new Date(d.createdAt).toISOString(),
    updated_at: new Date(d.updatedAt).toISOString(),
    device_fingerprint: fingerprintOf(d.deviceId),
    label: d.address ? { courier, delivery_id: d.id, address: d.address } : null,
    error: d.problem ?? null,
  };
}
