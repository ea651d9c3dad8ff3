import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { ApiError, readObject } from '../common/http.js';
import { checkKeyB, checkProxyUrl, field } from './check_handover.js';
import type { CourierContext } from './context.js';
import { deliver } from './deliver.js';
import { deliveryView, type Delivery } from './delivery.js';

const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const DEVICE_ID = /^[A-Za-z0-9_-]{43}$/;
const MAX_KEY_B = 16 * 1024;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const MAX_SEEN_KEYS = 10_000;

/** Eight characters of Crockford base32 (40 random bits): easy to read out over the phone. */
function deliveryId(): string {
  return Array.from(randomBytes(8), (b) => CROCKFORD[b & 31]).join('');
}

/** Room for one more: drop the oldest finished delivery when full. */
function makeRoom(ctx: CourierContext): void {
  if (ctx.active.full)
    throw new ApiError('ERR_BUSY', 'Too many deliveries in progress. Please try again soon.');
  if (ctx.deliveries.size < ctx.maxDeliveries) return;
  for (const [id, d] of ctx.deliveries) {
    if (d.state === 'ready' || d.state === 'failed') {
      ctx.deliveries.delete(id);
      return;
    }
  }
  throw new ApiError('ERR_BUSY', 'Too many deliveries in progress. Please try again soon.');
}

function remember(set: Set<string>, value: string, max: number) {
  set.add(value);
  if (set.size > max) set.delete(set.values().next().value!);
}

/** `POST /api/deliveries`: takes a handover, answers 202, and delivers in the background. */
export function receive(ctx: CourierContext, req: Request, res: Response): void {
  const body = readObject(req.body, ['key_b', 'proxy_url', 'device_id']);
  const keyB = field(body.key_b, 'key_b', MAX_KEY_B, JWS);
  const deviceId = field(body.device_id, 'device_id', 43, DEVICE_ID);
  const proxyUrl = checkProxyUrl(ctx, body.proxy_url, deviceId);
  checkKeyB(ctx, keyB, deviceId);
  const hash = createHash('sha256').update(keyB).digest('base64url');
  if (ctx.seenKeys.has(hash))
    throw new ApiError('ERR_KEY_B_USED', 'This key B was handed over already: each works once.');
  makeRoom(ctx);
  let id = deliveryId();
  while (ctx.deliveries.has(id)) id = deliveryId();
  const now = ctx.clock.now();
  const d: Delivery = {
    id,
    state: 'received',
    createdAt: now,
    updatedAt: now,
    deviceId,
    proxyUrl,
    abort: new AbortController(),
  };
  ctx.deliveries.set(id, d);
  remember(ctx.seenKeys, hash, MAX_SEEN_KEYS);
  void ctx.active.run(() => deliver(ctx, d, keyB));
  res.status(202).json(deliveryView(ctx.name, d));
}
