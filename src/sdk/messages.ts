import { CompactSign, jwtVerify, type JWK } from 'jose';
import { DiscoError } from '../protocol/errors/index.js';
import { utf8 } from '../protocol/encoding/index.js';
import { open, seal } from '../protocol/jose/index.js';
import { REQUEST_TYP, RESPONSE_TYP } from '../protocol/auth/index.js';
import type { ClientIdentity } from './client_identity.js';

/** What the SDK pinned of the device at pairing (from its disco-configuration). */
export interface DeviceInfo {
  deviceId: string;
  signingJwk: JWK;
  envelopeJwk: JWK;
}

/** Signs the claims with the client key (JWS) and seals them to the device (JWE). */
export async function sealRequest(
  claims: Record<string, unknown>,
  me: ClientIdentity,
  device: DeviceInfo,
): Promise<string> {
  const jws = await new CompactSign(utf8.encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: me.alg, typ: REQUEST_TYP })
    .sign(me.signKey);
  return seal(utf8.encode(jws), device.envelopeJwk, {
    contentType: 'JWT',
    kid: `${device.deviceId}#enc`,
  });
}

/**
 * Opens a device answer: decrypts with the client key, then checks that the pinned device key
 * signed it, for this client, in answer to this request. Anything else: ERR_RESPONSE_UNTRUSTED.
 */
export async function openResponse(
  jwe: string,
  me: ClientIdentity,
  device: DeviceInfo,
  expect: { clientId: string; now: number },
): Promise<Record<string, unknown>> {
  const { plaintext } = await open(jwe, me.decryptKey);
  try {
    const jws = utf8.decode(plaintext);
    const { payload } = await jwtVerify(jws, device.signingJwk, {
      algorithms: ['EdDSA'],
      typ: RESPONSE_TYP,
      issuer: device.deviceId,
      audience: expect.clientId,
      currentDate: new Date(expect.now),
      clockTolerance: 300,
      maxTokenAge: 24 * 3600,
    });
    return payload;
  } catch (cause) {
    throw new DiscoError(
      'ERR_RESPONSE_UNTRUSTED',
      'The answer was not signed by the device this client paired with.',
      { cause },
    );
  }
}
