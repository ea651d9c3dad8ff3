import { DiscoError } from '../errors/index.js';
import { sealResponse } from '../messages/device_response.js';
import type { AuthContext } from './context.js';
import { COLLECTIONS, type ClientRecord, type PendingRecord } from './records.js';

/**
 * Response sealing: an approved request's answer is signed by the device and sealed to the
 * certificate of the client that asked (src/protocol/messages/device_response.ts), so only it
 * can read it and it can check who answered. For register, the certificate the request carried;
 * for every other kind, the client's pinned certificate, read again now (a client removed
 * meanwhile gets nothing: `ERR_CLIENT_REVOKED`).
 */
export async function sealFor(
  p: PendingRecord,
  result: Record<string, unknown>,
  ctx: AuthContext,
): Promise<string> {
  const cert = await ctx.certificates.parse(await recipientPem(p, ctx));
  return sealResponse(
    result,
    { clientId: p.client.clientId, cert, inResponseTo: p.work.jti },
    { deviceId: ctx.identity.deviceId, signing: ctx.keys.signing, now: ctx.clock.now() },
  );
}

async function recipientPem(p: PendingRecord, ctx: AuthContext): Promise<string> {
  if (p.work.kind === 'register') return p.work.certificatePem;
  const c = await ctx.store.get<ClientRecord>(COLLECTIONS.clients, p.client.clientId);
  if (!c) throw new DiscoError('ERR_CLIENT_REVOKED', 'This client was removed.');
  return c.certificatePem;
}
