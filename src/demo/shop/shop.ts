import { checkDemoConfig, httpBase, type DemoApp, type DemoConfig } from '../common/config.js';
import { demoApp, openCompany } from '../common/company.js';
import { baseApp, jsonBody, methodNotAllowed, sameOriginOnly, wrap } from '../common/http.js';
import { InProgress } from '../common/in_progress.js';
import { SessionStore } from '../common/session.js';
import { connect } from './connect.js';
import { viewOf, type ShopContext } from './context.js';
import { ship } from './ship.js';
import { ShopSession } from './state.js';

/** How long `GET /api/state?since=` holds a page's request when nothing changes. */
const HOLD_MS = 25_000;

export type { ShopState, ShopStep } from './state.js';

/**
 * The demo shop: an untrusted client (DESIGN.md "demo relying parties"). It pairs with the
 * person's device, registers, asks key A for `address`, and, to ship, asks key B for the courier
 * and hands it over. It never sees the address. Its API is in docs/demo.md.
 */
export interface ShopConfig extends DemoConfig {
  /** The courier's base URL: its `/api/identity` and `/api/deliveries`. */
  courierUrl: string;
  /** PEM roots trusted for device certificates (docs/wire/nodetrust.md); none: not checked. */
  deviceTrustAnchors?: readonly string[];
  limits?: {
    /** Browser sessions held at once (default 500). */
    sessions?: number;
    /** Minutes an unused session lives (default 30). */
    idleMinutes?: number;
    /** Pairings and approvals waited for at once, over all sessions (default 50). */
    activeFlows?: number;
  };
}

export const SHOP_COOKIE = 'disco_demo_shop';

export async function createShop(config: ShopConfig): Promise<DemoApp> {
  const who = checkDemoConfig(config, { clientId: 'shop', name: 'Demo Shop' });
  const courierUrl = httpBase(config.courierUrl, 'courierUrl');
  const company = await openCompany(config, who);
  const ctx: ShopContext = {
    ...company,
    courierUrl,
    deviceTrustAnchors: config.deviceTrustAnchors ?? [],
    sessions: new SessionStore(
      SHOP_COOKIE,
      {
        max: config.limits?.sessions ?? 500,
        idleMs: (config.limits?.idleMinutes ?? 30) * 60_000,
      },
      () => new ShopSession(),
    ),
    flows: new InProgress(config.limits?.activeFlows ?? 50),
    voice: { me: company.name, reader: 'person' },
  };

  const app = baseApp();
  app
    .route('/api/state')
    .get(
      wrap(async (req, res) => {
        // `?since=<version>`: held until the flow moves (at most HOLD_MS), so the page shows a
        // decision as soon as the shop has it instead of at its next poll.
        const s = ctx.sessions.find(req);
        const since = Number(req.query.since);
        if (s && typeof req.query.since === 'string' && Number.isSafeInteger(since)) {
          const gone = new AbortController();
          res.once('close', () => gone.abort());
          await s.changedSince(since, HOLD_MS, gone.signal);
        }
        if (!res.writableEnded && !res.destroyed) res.json(viewOf(ctx, ctx.sessions.find(req)));
      }),
    )
    .all(methodNotAllowed(['GET']));
  app
    .route('/api/connect')
    .post(
      sameOriginOnly,
      jsonBody,
      wrap((req, res) => connect(ctx, req, res)),
    )
    .all(methodNotAllowed(['POST']));
  app
    .route('/api/ship')
    .post(
      sameOriginOnly,
      jsonBody,
      wrap((req, res) => ship(ctx, req, res)),
    )
    .all(methodNotAllowed(['POST']));
  return demoApp(company, app, import.meta.url, () => ctx.sessions.close());
}
