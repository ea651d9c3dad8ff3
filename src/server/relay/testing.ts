/**
 * Test helpers for the relay (not used by the relay itself): a fake DeviceLink, a fake clock,
 * a relay on 127.0.0.1 port 0, an RP certificate and a device key.
 */
import { calculateJwkThumbprint, type JWK } from 'jose';
import { createClientIdentity } from '../../sdk/client_identity.js';
import { b64u } from '../../protocol/encoding/index.js';
import { DiscoError } from '../../protocol/errors/index.js';
import {
  makePeerToken,
  peerIdOf,
  type DeviceLink,
  type TunnelRequest,
  type TunnelResponse,
} from '../../protocol/tunnel/index.js';
import { captureLogger } from './log.js';
import { startRelay, type StartRelayOptions } from './start_relay.js';

export type Answer = (
  peerId: string,
  req: TunnelRequest,
  signal?: AbortSignal,
) => Promise<TunnelResponse>;

/** Records requests and answers with `answer` (default: 200, echoing the body as JSON length). */
export class FakeDeviceLink implements DeviceLink {
  readonly requests: { peerId: string; req: TunnelRequest }[] = [];
  closed = false;
  answer: Answer = (_peerId, req) =>
    Promise.resolve({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: new TextEncoder().encode(JSON.stringify({ bytes: req.body?.length ?? 0 })),
    });

  request(peerId: string, req: TunnelRequest, signal?: AbortSignal): Promise<TunnelResponse> {
    this.requests.push({ peerId, req });
    return this.answer(peerId, req, signal);
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** A link whose device is never there. */
export const unreachable: Answer = () =>
  Promise.reject(new DiscoError('ERR_DEVICE_UNREACHABLE', 'The device is not connected.'));

export function fakeClock(start = Date.now()) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** A relay on 127.0.0.1 with a fake link, a fake clock and a captured log. */
export async function startTestRelay(options: Partial<StartRelayOptions> = {}) {
  const link = new FakeDeviceLink();
  const clock = fakeClock();
  const logger = captureLogger();
  const running = await startRelay({
    deviceLink: link,
    clock,
    logger,
    allowLoopbackCallbacks: true,
    production: false,
    // the fake link stands for every device
    isDeviceOnline: () => true,
    rateLimits: {
      createPerAddress: 10_000,
      createPerCertificate: 10_000,
      pairPerAddress: 10_000,
      pairFailuresPerRelay: 10_000,
      waitPerAddress: 10_000,
      icePerAddress: 10_000,
    },
    ...options,
  });
  return { ...running, link, clock, logger, base: running.url };
}

/** A relying party: a P-256 certificate (valid around `now`) and the header forms of it. */
export async function makeRp(now: number, name = 'Test Shop') {
  const identity = await createClientIdentity({ name, clock: { now: () => now } });
  const body = identity.certificatePem.replace(/-----[^-]+-----|\s/g, '');
  const der = Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
  return {
    identity,
    der,
    /** base64url DER: the header as documented. */
    header: b64u.encode(der),
    base64: body,
    pemOneLine: identity.certificatePem.replace(/\r?\n/g, ' ').trim(),
  };
}

/** A device key as the device app has it, and the POST /uid body for `uid`. */
export async function makeDevice() {
  const keys = await crypto.subtle.generateKey('Ed25519', true, ['sign', 'verify']);
  const full = await crypto.subtle.exportKey('jwk', keys.publicKey);
  const jwk: JWK = { kty: 'OKP', crv: 'Ed25519', x: full.x! };
  const deviceId = await calculateJwkThumbprint(jwk, 'sha256');
  const peerId = peerIdOf(deviceId);
  return {
    keys,
    jwk,
    deviceId,
    peerId,
    token: (nowMs: number) => makePeerToken(keys.privateKey, jwk, deviceId, nowMs),
    pairBody: (uid: string, publicUrl: string) => ({
      uid,
      device_id: deviceId,
      peer_id: peerId,
      public_key: jwk,
      proxy_url: `${publicUrl}/p/${peerId}/`,
    }),
  };
}

export const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
