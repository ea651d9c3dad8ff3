import { isStatedName } from '../../protocol/auth/stated_partner.js';
import { CLIENT_ID } from '../common/config.js';
import { withTimeout } from '../common/fetch.js';
import { ApiError } from '../common/http.js';

/** The shop's two calls to the courier's API (docs/demo.md "Courier API"). */

const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;
const DELIVERY_ID = /^[0-9A-Z]{8,16}$/;

interface CourierPeer {
  /** The courier's base URL. */
  courierUrl: string;
  fetchFn: typeof fetch;
}

/** The courier's error answer in one line, or its HTTP status. */
async function upstreamMessage(res: globalThis.Response): Promise<string> {
  const body = (await res.json().catch(() => ({}))) as { error_description?: unknown };
  const text =
    typeof body.error_description === 'string' ? body.error_description : `HTTP ${res.status}`;
  return text.replace(/\s+/g, ' ').slice(0, 200);
}

/** `GET <courier>/api/identity`: who key B is to be for. */
export async function courierIdentity(
  { courierUrl, fetchFn }: CourierPeer,
  signal: AbortSignal,
): Promise<{ clientId: string; thumbprint: string; name: string }> {
  const unreachable = () =>
    new ApiError('ERR_UPSTREAM', 'The courier cannot be reached right now. Please try again.');
  const res = await fetchFn(`${courierUrl}/api/identity`, {
    headers: { accept: 'application/json' },
    signal: withTimeout(signal),
  }).catch(() => {
    throw unreachable();
  });
  if (!res.ok) throw unreachable();
  const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  const id = body?.client_id;
  const thumbprint = body?.thumbprint;
  const courierName = body?.name;
  if (
    typeof id !== 'string' ||
    !CLIENT_ID.test(id) ||
    typeof thumbprint !== 'string' ||
    !THUMBPRINT.test(thumbprint) ||
    // what the device accepts as a partner's stated name (the shop names the courier with it)
    !isStatedName(courierName)
  ) {
    throw new ApiError('ERR_UPSTREAM', 'The courier described itself in a way we cannot use.');
  }
  return { clientId: id, thumbprint, name: courierName };
}

/** `POST <courier>/api/deliveries`: hands key B over; answers the delivery id. */
export async function handOver(
  { courierUrl, fetchFn }: CourierPeer,
  body: { key_b: string; proxy_url: string; device_id: string },
  courierName: string,
  signal: AbortSignal,
): Promise<string> {
  const res = await fetchFn(`${courierUrl}/api/deliveries`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
    signal: withTimeout(signal),
  }).catch(() => {
    throw new ApiError(
      'ERR_UPSTREAM',
      `${courierName} cannot be reached right now. Please try again.`,
    );
  });
  if (!res.ok)
    throw new ApiError(
      'ERR_UPSTREAM',
      `${courierName} refused the order: ${await upstreamMessage(res)}`,
    );
  const answer = (await res.json().catch(() => null)) as { id?: unknown } | null;
  if (typeof answer?.id !== 'string' || !DELIVERY_ID.test(answer.id))
    throw new ApiError('ERR_UPSTREAM', `${courierName} answered in a way we cannot use.`);
  return answer.id;
}

/** Where the courier is with a delivery the shop handed over. */
export type CourierProgress = 'waiting' | 'ready' | 'failed';

/** `GET <courier>/api/deliveries/<id>`: the delivery's state only (the shop never sees the address). */
export async function deliveryProgress(
  { courierUrl, fetchFn }: CourierPeer,
  id: string,
  signal: AbortSignal,
): Promise<CourierProgress | undefined> {
  const res = await fetchFn(`${courierUrl}/api/deliveries/${encodeURIComponent(id)}`, {
    headers: { accept: 'application/json' },
    signal: withTimeout(signal),
  }).catch(() => undefined);
  if (!res?.ok) return undefined;
  const body = (await res.json().catch(() => null)) as { state?: unknown } | null;
  if (body?.state === 'ready' || body?.state === 'failed') return body.state;
  return 'waiting';
}
