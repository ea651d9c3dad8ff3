import { compactVerify, type JWK, type JWSHeaderParameters } from 'jose';
import { byteLimit } from '../lib/compact.js';
import { fromJoseError } from '../lib/map_jose_error.js';
import { parseJws } from './parse_jws.js';
import { verificationKey } from './signing_key.js';
import { DEFAULT_MAX_TOKEN_BYTES, TOKEN_ALG } from './token_types.js';

export interface VerifiedJws {
  readonly payload: Uint8Array;
  readonly protectedHeader: JWSHeaderParameters;
}

/**
 * Validates an EdDSA JWS in compact serialization (RFC 7515 §5.2, RFC 8037 §3.1) and returns its
 * payload, whatever that is. Token checks (typ, claims, time) are {@link verify}'s job; use this
 * for signed objects that are not Disco tokens.
 *
 * @throws DiscoError `ERR_TOO_LARGE`; `ERR_JWT_MALFORMED`; `ERR_JWT_ALG_NOT_ALLOWED` for any alg
 *   but EdDSA; `ERR_JWT_SIGNATURE_INVALID`; `ERR_INVALID_INPUT` for a key that is not Ed25519.
 */
export async function verifyJws(
  jws: string,
  publicKey: CryptoKey | JWK,
  opts: { readonly maxBytes?: number } = {},
): Promise<VerifiedJws> {
  parseJws(jws, byteLimit(opts.maxBytes, DEFAULT_MAX_TOKEN_BYTES));
  const key = verificationKey(publicKey);
  try {
    const { payload, protectedHeader } = await compactVerify(jws, key, { algorithms: [TOKEN_ALG] });
    return { payload, protectedHeader };
  } catch (err) {
    throw fromJoseError(err, 'verify');
  }
}
