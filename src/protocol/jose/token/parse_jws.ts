import type { JWSHeaderParameters } from 'jose';
import { DiscoError } from '../../errors/index.js';
import { splitCompact } from '../lib/compact.js';
import { TOKEN_ALG } from './token_types.js';

/**
 * Everything token verification can decide before touching a key (RFC 7515 §5.2 steps 1–4):
 * size, three canonical base64url parts, the protected header, and `alg` — which must be EdDSA and
 * nothing else, so HS256-with-the-public-key, `none`, RS256 and ES256 never reach a verifier
 * (RFC 8725 §2.1, §3.1). Refuses `crit` (RFC 7515 §4.1.11): Disco tokens use no extensions, and
 * RFC 7797 unencoded payloads are not JWTs.
 */
export function parseJws(token: unknown, maxBytes: number): JWSHeaderParameters {
  const { parts, header } = splitCompact(token, 3, maxBytes, 'ERR_JWT_MALFORMED');
  if (typeof header.alg !== 'string') {
    throw new DiscoError('ERR_JWT_MALFORMED', 'protected header must carry an "alg" string');
  }
  if (header.alg !== TOKEN_ALG) {
    throw new DiscoError(
      'ERR_JWT_ALG_NOT_ALLOWED',
      `alg ${header.alg} is refused; tokens are EdDSA`,
    );
  }
  if ('crit' in header) {
    throw new DiscoError('ERR_JWT_MALFORMED', 'tokens carry no critical headers');
  }
  if (parts[2] === '') throw new DiscoError('ERR_JWT_MALFORMED', 'signature is missing');
  return header;
}
