import { decodeJwt, decodeProtectedHeader } from 'jose';
import { peerIdOf } from '../../protocol/tunnel/peer_id.js';
import { ApiError } from '../common/http.js';
import type { CourierContext } from './context.js';

/** The input checks of `POST /api/deliveries` (docs/demo.md "Courier API"). */

const MAX_URL = 2048;

/** A required string field, bounded and matching `pattern`. */
export function field(value: unknown, name: string, max: number, pattern: RegExp): string {
  if (typeof value !== 'string' || value === '')
    throw new ApiError('ERR_INVALID_INPUT', `${name} is required (a string).`);
  if (value.length > max)
    throw new ApiError('ERR_INVALID_INPUT', `${name} is too long (at most ${max} characters).`);
  if (!pattern.test(value)) throw new ApiError('ERR_INVALID_INPUT', `${name} is malformed.`);
  return value;
}

/** The device's tunnel at one of the courier's relays, and nothing else; with a trailing slash. */
export function checkProxyUrl(ctx: CourierContext, value: unknown, deviceId: string): string {
  const raw = field(value, 'proxy_url', MAX_URL, /^https?:\/\//);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ApiError('ERR_INVALID_INPUT', 'proxy_url is not a URL.');
  }
  if (url.username || url.password || url.search || url.hash)
    throw new ApiError(
      'ERR_INVALID_INPUT',
      'proxy_url must not carry credentials, a query or a fragment.',
    );
  const bare = url.href.replace(/\/+$/, '');
  const peer = peerIdOf(deviceId);
  if (!ctx.relays.some((r) => bare === `${r}/p/${peer}`)) {
    throw new ApiError(
      'ERR_INVALID_INPUT',
      `proxy_url must be this device's tunnel at the relay ${ctx.name} uses (${ctx.relays[0]}/p/${peer}/).`,
    );
  }
  return `${bare}/`;
}

/**
 * Early, unverified checks of key B so that a mistake gets a clear answer now rather than a
 * failed delivery later. The device verifies the signature; nothing here is trusted.
 */
export function checkKeyB(ctx: CourierContext, keyB: string, deviceId: string): void {
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claims: ReturnType<typeof decodeJwt>;
  try {
    header = decodeProtectedHeader(keyB);
    claims = decodeJwt(keyB);
  } catch {
    throw new ApiError('ERR_INVALID_INPUT', 'key_b is not a JWT.');
  }
  if (header.typ !== 'disco-key-b+jwt')
    throw new ApiError('ERR_INVALID_INPUT', 'key_b is not a Disco key B (typ disco-key-b+jwt).');
  if (claims.iss !== deviceId)
    throw new ApiError('ERR_INVALID_INPUT', 'key_b was issued by another device than device_id.');
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(ctx.clientId))
    throw new ApiError('ERR_AUDIENCE_MISMATCH', `This key B is not for ${ctx.name}.`);
  const cnf = (claims.cnf as { 'x5t#S256'?: unknown } | undefined)?.['x5t#S256'];
  if (cnf !== ctx.me.thumbprint)
    throw new ApiError(
      'ERR_AUDIENCE_MISMATCH',
      `This key B is bound to another certificate than ${ctx.name}'s.`,
    );
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= ctx.clock.now())
    throw new ApiError('ERR_JWT_EXPIRED', 'This key B has expired: ask the customer again.');
}
