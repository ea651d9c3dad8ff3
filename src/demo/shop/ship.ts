import type { Request, Response } from 'express';
import { fingerprintOf, isDiscoError } from '../../sdk/index.js';
import type { Step } from '../common/explain.js';
import { ApiError, readObject } from '../common/http.js';
import { FIELDS, fail, viewOf, type ShopContext } from './context.js';
import { courierIdentity, deliveryProgress, handOver } from './courier_api.js';
import type { Link, ShopSession } from './state.js';

/** Failures after which key A itself is gone: only connecting again helps. */
const LINK_LOST = [
  'ERR_GRANT_REVOKED',
  'ERR_CLIENT_UNKNOWN',
  'ERR_CLIENT_REVOKED',
  'ERR_CLIENT_SECRET',
];

/** Key B for the courier, then the handover: the courier asks the device itself. */
async function shipOrder(
  ctx: ShopContext,
  s: ShopSession,
  link: Link,
  signal: AbortSignal,
): Promise<void> {
  let step: Step = 'handoff';
  try {
    const courier = await courierIdentity(ctx, signal);
    if (signal.aborted) return;
    s.courier = { name: courier.name, fingerprint: fingerprintOf(courier.thumbprint) };
    step = 'key_b';
    const { key_b } = await link.client.requestKeyB(
      link.keyA,
      // the courier's name for the card while it has not connected to the device yet
      { clientId: courier.clientId, thumbprint: courier.thumbprint, name: courier.name },
      FIELDS,
      { signal },
    );
    if (signal.aborted) return;
    step = 'handoff';
    s.step = 'handing_over';
    const id = await handOver(
      ctx,
      { key_b, proxy_url: link.proxyUrl, device_id: link.deviceId },
      courier.name,
      signal,
    );
    if (signal.aborted) return;
    s.delivery = { id, courierUrl: ctx.courierUrl, progress: 'waiting' };
    s.step = 'shipped';
  } catch (err) {
    if (signal.aborted) return;
    s.step = 'connected';
    fail(ctx, s, err, step, signal);
    if (isDiscoError(err) && LINK_LOST.includes(err.code)) {
      s.step = 'idle';
      s.link = undefined;
    }
  }
}

/** How often, and how long, the shop follows a delivery until the courier has the address. */
const FOLLOW_EVERY_MS = 1_000;
const FOLLOW_FOR_MS = 15 * 60_000;

/**
 * After the handover: follows the courier's delivery until it is ready or failed, so the status
 * line stops asking the person to approve once they have (an unreachable courier is asked again).
 */
async function followDelivery(ctx: ShopContext, s: ShopSession, signal: AbortSignal) {
  const end = Date.now() + FOLLOW_FOR_MS;
  while (s.delivery?.progress === 'waiting' && !signal.aborted && Date.now() < end) {
    await new Promise((r) => setTimeout(r, FOLLOW_EVERY_MS));
    if (signal.aborted || !s.delivery) return;
    const progress = await deliveryProgress(ctx, s.delivery.id, signal);
    if (progress && !signal.aborted) s.delivery = { ...s.delivery, progress };
  }
}

/** `POST /api/ship`: only when connected (docs/demo.md). */
export function ship(ctx: ShopContext, req: Request, res: Response): void {
  readObject(req.body, []);
  const s = ctx.sessions.find(req);
  if (!s || !s.link || s.step !== 'connected') {
    const why =
      s?.step === 'shipped'
        ? 'This order has shipped already.'
        : s?.step === 'asking_key_b' || s?.step === 'handing_over'
          ? 'Your order is being shipped already.'
          : 'Connect with Disco first.';
    throw new ApiError('ERR_WRONG_STATE', why);
  }
  if (ctx.flows.full)
    throw new ApiError('ERR_BUSY', 'Many orders are shipping right now. Please try again.');
  const signal = s.begin();
  s.problem = undefined;
  s.step = 'asking_key_b';
  const link = s.link;
  void ctx.flows.run(async () => {
    await shipOrder(ctx, s, link, signal);
    await followDelivery(ctx, s, signal);
  });
  res.status(202).json(viewOf(ctx, s));
}
