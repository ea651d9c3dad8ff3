import { join } from 'node:path';
import { listen } from '../server/listen.js';
import type { Logger } from './common/http.js';
import { createCourier } from './courier/courier.js';
import { createShop } from './shop/shop.js';

export { createShop, type ShopConfig, type ShopState, type ShopStep } from './shop/shop.js';
export {
  createCourier,
  type CourierConfig,
  type DeliveryView,
  type DeliveryState,
} from './courier/courier.js';
export type { DemoApp, DemoConfig } from './common/config.js';

export interface DemosOptions {
  /** The relay both companies use, e.g. `http://127.0.0.1:8711`. */
  relayUrl: string;
  /** Where they listen (default 127.0.0.1: the demos are for this machine only). */
  host?: string;
  /** 0 picks a free port. */
  shopPort: number;
  courierPort: number;
  /** Parent of each demo's data directory: `<dataDir>/shop/`, `<dataDir>/courier/` (`.cache/demo`). */
  dataDir: string;
  /** PEM roots the shop trusts for device certificates (nodetrust's CA: pebble's root locally). */
  deviceTrustAnchors?: readonly string[];
  log?: Logger;
}

export interface RunningDemos {
  shopUrl: string;
  courierUrl: string;
  close(): Promise<void>;
}

/**
 * Starts the demo shop and the demo courier (DESIGN.md "demo relying parties"): the courier
 * first, since the shop hands deliveries to it. Used by `npm start` and the end-to-end tests.
 */
export async function startDemos(opts: DemosOptions): Promise<RunningDemos> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ? { log: opts.log } : {};
  const courier = await createCourier({
    relayUrl: opts.relayUrl,
    dataDir: join(opts.dataDir, 'courier'),
    ...log,
  });
  const courierServer = await listen(courier.app, opts.courierPort, host);
  try {
    const shop = await createShop({
      relayUrl: opts.relayUrl,
      courierUrl: courierServer.url,
      dataDir: join(opts.dataDir, 'shop'),
      ...(opts.deviceTrustAnchors ? { deviceTrustAnchors: opts.deviceTrustAnchors } : {}),
      ...log,
    });
    const shopServer = await listen(shop.app, opts.shopPort, host).catch((err: unknown) => {
      shop.close();
      throw err;
    });
    return {
      shopUrl: shopServer.url,
      courierUrl: courierServer.url,
      close: async () => {
        shop.close();
        courier.close();
        await Promise.all([shopServer.close(), courierServer.close()]);
      },
    };
  } catch (err) {
    courier.close();
    await courierServer.close();
    throw err;
  }
}
