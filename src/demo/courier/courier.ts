import { checkDemoConfig, httpBase, type DemoApp, type DemoConfig } from '../common/config.js';
import { demoApp, openCompany } from '../common/company.js';
import { ApiError, baseApp, jsonBody, methodNotAllowed, wrap } from '../common/http.js';
import { InProgress } from '../common/in_progress.js';
import type { CourierContext } from './context.js';
import { deliveryView } from './delivery.js';
import { receive } from './receive.js';

export { addressLines } from './address.js';
export type { DeliveryState, DeliveryView } from './delivery.js';

/**
 * The demo courier: a trusted client (DESIGN.md flow 5). A shop hands it `{ key_b, proxy_url,
 * device_id }`; it pins the device, registers with it once (as a trusted client), exchanges key B
 * for the address, and prints a shipping label. Its API is in docs/demo.md.
 */
export interface CourierConfig extends DemoConfig {
  /**
   * Relay base URLs a `proxy_url` may belong to (default: `relayUrl`). The courier fetches only
   * `<relay>/p/<peer id of device_id>/…`: a shop cannot make it call anything else.
   */
  relays?: readonly string[];
  limits?: {
    /** Deliveries kept (default 200); the oldest finished ones make room. */
    deliveries?: number;
    /** Deliveries in progress at once (default 50). */
    active?: number;
  };
}

export async function createCourier(config: CourierConfig): Promise<DemoApp> {
  const who = checkDemoConfig(config, { clientId: 'courier', name: 'Demo Courier' });
  const relays = (config.relays ?? [who.relayUrl]).map((r) => httpBase(r, 'relays'));
  const company = await openCompany(config, who);
  const ctx: CourierContext = {
    ...company,
    relays,
    clock: config.sdk?.clock ?? { now: () => Date.now() },
    voice: { me: company.name, reader: 'staff' },
    deliveries: new Map(),
    maxDeliveries: config.limits?.deliveries ?? 200,
    active: new InProgress(config.limits?.active ?? 50),
    seenKeys: new Set(),
    registrations: new Map(),
  };

  const app = baseApp();
  app
    .route('/api/identity')
    .get((_req, res) => {
      res.json({ client_id: ctx.clientId, thumbprint: ctx.me.thumbprint, name: ctx.name });
    })
    .all(methodNotAllowed(['GET']));
  app
    .route('/api/deliveries')
    .get((_req, res) => {
      res.json({
        courier: { name: ctx.name, fingerprint: ctx.me.fingerprint },
        deliveries: [...ctx.deliveries.values()].reverse().map((d) => deliveryView(ctx.name, d)),
      });
    })
    .post(
      jsonBody,
      wrap((req, res) => receive(ctx, req, res)),
    )
    .all(methodNotAllowed(['GET', 'POST']));
  // What the shop that handed a delivery over may follow: its state, never the address.
  app
    .route('/api/deliveries/:id')
    .get((req, res) => {
      const d = ctx.deliveries.get(String(req.params.id));
      if (!d) throw new ApiError('ERR_NOT_FOUND', 'No such delivery.');
      res.json({ id: d.id, state: d.state });
    })
    .all(methodNotAllowed(['GET']));
  return demoApp(company, app, import.meta.url, () => {
    for (const d of ctx.deliveries.values()) d.abort.abort();
  });
}
