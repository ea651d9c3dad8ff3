import type { JWK } from 'jose';
import {
  openResponse as openDeviceResponse,
  sealClientRequest,
} from '../protocol/messages/index.js';
import type { ClientIdentity } from './client_identity.js';

/** What the SDK pinned of the device at pairing (from its disco-configuration). */
export interface DeviceInfo {
  deviceId: string;
  signingJwk: JWK;
  envelopeJwk: JWK;
}

/**
 * Signs the claims with the client key (JWS) and seals them to the device (JWE):
 * src/protocol/messages/client_request.ts, where the device's reading of it sits too.
 */
export function sealRequest(
  claims: Record<string, unknown>,
  me: ClientIdentity,
  device: DeviceInfo,
): Promise<string> {
  return sealClientRequest(claims, { alg: me.alg, key: me.signKey }, device);
}

/**
 * Opens a device answer: decrypts with the client key, then checks that the pinned device key
 * signed it, for this client, in answer to this request. Anything else: ERR_RESPONSE_UNTRUSTED.
 * The format: src/protocol/messages/device_response.ts.
 */
export function openResponse(
  jwe: string,
  me: ClientIdentity,
  device: DeviceInfo,
  expect: { clientId: string; now: number },
): Promise<Record<string, unknown>> {
  return openDeviceResponse(jwe, me.decryptKey, device, expect);
}
