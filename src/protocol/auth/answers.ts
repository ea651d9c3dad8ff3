import { DiscoError, toWire } from '../errors/index.js';
import { POLICY } from './policy.js';
import type { PendingRecord } from './records.js';

/** An answer of the device's endpoints, whatever carries it back (tunnel, fetch handler). */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A JSON answer, never cached. */
export function json(status: number, value: unknown): Answer {
  return {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(value),
  };
}

/** The sealed answer of a decided request (src/protocol/messages/device_response.ts). */
export function sealedAnswer(envelope: string): Answer {
  return {
    status: 200,
    headers: { 'content-type': 'application/jose', 'cache-control': 'no-store' },
    body: envelope,
  };
}

/** The "ask again later" answer (RFC 8628 §3.5, OpenID CIBA §7.3 / §11). */
export function pendingAnswer(
  p: PendingRecord,
  now: number,
  code: 'ERR_AUTHORIZATION_PENDING' | 'ERR_SLOW_DOWN' = 'ERR_AUTHORIZATION_PENDING',
  longPoll = false,
): Answer {
  const message =
    code === 'ERR_SLOW_DOWN'
      ? 'Poll less often.'
      : 'Waiting for the person to answer on their device.';
  const { status, body } = toWire(new DiscoError(code, message));
  return json(status, {
    ...body,
    auth_req_id: p.id,
    interval: POLICY.pollIntervalSeconds,
    expires_in: Math.max(0, Math.ceil((p.expiresAt - now) / 1000)),
    // This device holds a poll that sends `wait` (seconds) until the person decides.
    ...(longPoll ? { long_poll: POLICY.longPollSeconds } : {}),
  });
}
