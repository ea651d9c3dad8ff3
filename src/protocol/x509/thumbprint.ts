import { b64u, bytes } from '../encoding/index.js';

/**
 * The SHA-256 thumbprint of a certificate: SHA-256 over its DER encoding, base64url without
 * padding. This is the `x5t#S256` confirmation method of RFC 8705 §3.1 (and the JWS/JWK header of
 * RFC 7515 §4.1.8), which binds Disco's key B tokens to a client certificate.
 */
export async function thumbprint(der: Uint8Array | ArrayBuffer): Promise<string> {
  const view = der instanceof Uint8Array ? der : new Uint8Array(der);
  const digest = await crypto.subtle.digest('SHA-256', bytes(view));
  return b64u.encode(new Uint8Array(digest));
}
