import { jwtVerify, SignJWT, type JWK } from 'jose';
import { DiscoError } from '../errors/index.js';
import { utf8 } from '../encoding/index.js';
import { open, seal } from '../jose/index.js';
import { importCertificateKey, type ParsedCertificate } from '../x509/index.js';

/**
 * The device's answer on the wire (docs/wire/engine.md "Answers"): a JWS signed by the device's
 * identity key (EdDSA), so the client can check it against the device key it pinned at pairing,
 * sealed in a JWE to the client's certificate key (RSA-OAEP-256 or ECDH-ES+A256KW), so only that
 * client reads it. The device builds it (`sealResponse`), the SDK reads it (`openResponse`). The
 * JWS step uses `jose` directly: its claims (`in_response_to`, the result) are not a device
 * token's (`protocol/jose/token`); the envelope is `protocol/jose`'s.
 */

/** JWS `typ` of a device response. */
export const RESPONSE_TYP = 'disco-response+jwt';

/** Signs the result with the device key and seals it to the client's certificate. */
export async function sealResponse(
  result: Record<string, unknown>,
  to: { clientId: string; cert: ParsedCertificate; inResponseTo: string },
  device: { deviceId: string; signing: CryptoKey; now: number },
): Promise<string> {
  const jws = await new SignJWT({ ...result, in_response_to: to.inResponseTo })
    .setProtectedHeader({ alg: 'EdDSA', typ: RESPONSE_TYP, kid: device.deviceId })
    .setIssuer(device.deviceId)
    .setAudience(to.clientId)
    .setIssuedAt(Math.floor(device.now / 1000))
    .sign(device.signing);
  const key = await importCertificateKey(to.cert, 'encrypt');
  return seal(utf8.encode(jws), key, { kid: to.cert.thumbprint, contentType: 'JWT' });
}

/**
 * Opens a device answer: decrypts with the client key, then checks that the pinned device key
 * signed it, for this client, recently. Anything else: `ERR_RESPONSE_UNTRUSTED`.
 */
export async function openResponse(
  jwe: string,
  decryptKey: CryptoKey,
  device: { deviceId: string; signingJwk: JWK },
  expect: { clientId: string; now: number },
): Promise<Record<string, unknown>> {
  const { plaintext } = await open(jwe, decryptKey);
  try {
    const { payload } = await jwtVerify(utf8.decode(plaintext), device.signingJwk, {
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
