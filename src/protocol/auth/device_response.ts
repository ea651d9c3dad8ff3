import { SignJWT } from 'jose';
import { utf8 } from '../encoding/index.js';
import { seal } from '../jose/index.js';
import { importCertificateKey, type ParsedCertificate } from '../x509/index.js';
import type { AuthContext } from './context.js';

/** JWS `typ` of a device response. */
export const RESPONSE_TYP = 'disco-response+jwt';

/**
 * The device's answer to a client: a JWS signed by the identity key (EdDSA), so the client can
 * check it against the device key it pinned at pairing, sealed in a JWE to the client's
 * certificate key (RSA-OAEP-256 or ECDH-ES+A256KW), so only that client reads it.
 */
export async function sealResponse(
  result: Record<string, unknown>,
  to: { clientId: string; cert: ParsedCertificate; inResponseTo: string },
  ctx: Pick<AuthContext, 'identity' | 'keys' | 'clock'>,
): Promise<string> {
  const jws = await new SignJWT({ ...result, in_response_to: to.inResponseTo })
    .setProtectedHeader({ alg: 'EdDSA', typ: RESPONSE_TYP, kid: ctx.identity.deviceId })
    .setIssuer(ctx.identity.deviceId)
    .setAudience(to.clientId)
    .setIssuedAt(Math.floor(ctx.clock.now() / 1000))
    .sign(ctx.keys.signing);
  const key = await importCertificateKey(to.cert, 'encrypt');
  return seal(utf8.encode(jws), key, { kid: to.cert.thumbprint, contentType: 'JWT' });
}
