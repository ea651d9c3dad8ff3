import { CompactEncrypt, type JWK } from 'jose';
import { DiscoError } from '../../errors/index.js';
import { byteLimit } from '../lib/compact.js';
import { fromJoseError } from '../lib/map_jose_error.js';
import type { EnvelopeHeader } from './parse_envelope.js';
import { DEFAULT_MAX_ENVELOPE_BYTES, ENVELOPE_ENC } from './policy.js';
import { recipientFor } from './recipient_key.js';

export interface SealOptions {
  /** `kid` header (RFC 7516 §4.1.6): which of the recipient's keys this is for. */
  readonly kid?: string;
  /** `cty` header (RFC 7516 §4.1.12), e.g. `json` or a Disco message type. */
  readonly contentType?: string;
  /** Longest compact envelope produced, in bytes. Default 1 MiB, the same as `open` reads. */
  readonly maxBytes?: number;
}

const MAX_HEADER_VALUE_LENGTH = 256;

function headerValue(value: string, name: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_HEADER_VALUE_LENGTH) {
    throw new DiscoError('ERR_INVALID_INPUT', `${name} must be a string of 1 to 256 characters`);
  }
  return value;
}

/**
 * Seals `plaintext` to a recipient: a JWE in compact serialization (RFC 7516 §5.1, §7.1) with
 * `enc` A256GCM and `alg` chosen by the key: RSA-OAEP-256 for RSA keys (RFC 7518 §4.3),
 * ECDH-ES+A256KW for EC P-256 and OKP X25519 keys (RFC 7518 §4.6, RFC 8037 §3.2). Randomness (the
 * content key, IV and ephemeral key) comes from WebCrypto inside jose. A JWK is reduced to its
 * public members first, so the caller's object is neither read further nor frozen by jose.
 *
 * @throws DiscoError `ERR_JWE_KEY_UNSUPPORTED` for any other or any private key; `ERR_TOO_LARGE`
 *   when the envelope would exceed `maxBytes`; `ERR_INVALID_INPUT` for bad options.
 */
export async function seal(
  plaintext: Uint8Array,
  recipientPublicKey: CryptoKey | JWK,
  opts: SealOptions = {},
): Promise<string> {
  if (!(plaintext instanceof Uint8Array)) {
    throw new DiscoError('ERR_INVALID_INPUT', 'plaintext must be a Uint8Array');
  }
  const maxBytes = byteLimit(opts.maxBytes, DEFAULT_MAX_ENVELOPE_BYTES);
  if (plaintext.byteLength > maxBytes) {
    throw new DiscoError('ERR_TOO_LARGE', `plaintext is longer than ${maxBytes} bytes`);
  }
  const { alg, key } = recipientFor(recipientPublicKey);
  const header: EnvelopeHeader = { alg, enc: ENVELOPE_ENC };
  if (opts.kid !== undefined) header.kid = headerValue(opts.kid, 'kid');
  if (opts.contentType !== undefined) header.cty = headerValue(opts.contentType, 'contentType');
  let jwe: string;
  try {
    jwe = await new CompactEncrypt(plaintext).setProtectedHeader(header).encrypt(key);
  } catch (err) {
    throw fromJoseError(err, 'seal');
  }
  if (jwe.length > maxBytes) {
    throw new DiscoError('ERR_TOO_LARGE', `envelope is longer than ${maxBytes} bytes`);
  }
  return jwe;
}
