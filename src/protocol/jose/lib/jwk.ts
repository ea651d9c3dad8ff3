import type { JsonObject } from './compact.js';

// RFC 7518 §6.2.2 (EC), §6.3.2 (RSA), §6.4 (oct), RFC 8037 §2 (OKP), AKP `priv`.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'];

/** True when a JWK carries private or secret key material. */
export function hasPrivateMembers(jwk: JsonObject): boolean {
  return PRIVATE_MEMBERS.some((member) => member in jwk);
}
