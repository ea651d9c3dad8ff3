import { compactDecrypt } from 'jose';
import { byteLimit } from '../lib/compact.js';
import { fromJoseError } from '../lib/map_jose_error.js';
import { checkEphemeralKey, parseEnvelope, type EnvelopeHeader } from './parse_envelope.js';
import {
  DEFAULT_MAX_ENVELOPE_BYTES,
  ENVELOPE_ALLOW_LIST,
  type EnvelopeAllowList,
} from './policy.js';
import { checkDecryptionKey } from './recipient_key.js';

export interface OpenOptions {
  /** Longest compact envelope read, in bytes. Default {@link DEFAULT_MAX_ENVELOPE_BYTES} (1 MiB). */
  readonly maxBytes?: number;
  /**
   * TESTS ONLY — production callers never pass this. Replaces the Disco allow-list so that public
   * test vectors made with other algorithms (RSA-OAEP, ECDH-ES+A128KW, A128GCM, P-384, …) can be
   * run through the same code path. `zip` and `crit` stay refused whatever it says.
   */
  readonly unsafeAllowList?: EnvelopeAllowList;
}

export interface OpenedEnvelope {
  readonly plaintext: Uint8Array;
  readonly protectedHeader: EnvelopeHeader;
}

/**
 * Opens an envelope: decrypts a JWE in compact serialization (RFC 7516 §5.2) made with
 * RSA-OAEP-256 or ECDH-ES+A256KW and A256GCM. Works with non-extractable private keys: RSA-OAEP
 * keys need the `decrypt` usage, ECDH P-256 and X25519 keys the `deriveBits` usage.
 *
 * @throws DiscoError `ERR_TOO_LARGE` over `maxBytes`; `ERR_JWE_MALFORMED` for anything that is not
 *   a well-formed compact JWE or carries `crit`; `ERR_JWE_ALG_NOT_ALLOWED` for an `alg`/`enc` off
 *   the allow-list or a `zip` header; `ERR_JWE_KEY_UNSUPPORTED` for an unusable key;
 *   `ERR_JWE_DECRYPTION_FAILED` for a wrong key or any modified byte.
 */
export async function open(
  jwe: string,
  privateKey: CryptoKey,
  opts: OpenOptions = {},
): Promise<OpenedEnvelope> {
  const allow = opts.unsafeAllowList ?? ENVELOPE_ALLOW_LIST;
  const { alg, header } = parseEnvelope(
    jwe,
    allow,
    byteLimit(opts.maxBytes, DEFAULT_MAX_ENVELOPE_BYTES),
  );
  const family = checkDecryptionKey(privateKey, alg, allow);
  if (family.kind === 'ecdh') checkEphemeralKey(header.epk, family.curve);
  try {
    const { plaintext, protectedHeader } = await compactDecrypt(jwe, privateKey, {
      keyManagementAlgorithms: [...allow.alg],
      contentEncryptionAlgorithms: [...allow.enc],
      maxDecompressedLength: 0, // jose would otherwise inflate `zip: DEF` (refused above anyway)
    });
    return { plaintext, protectedHeader: protectedHeader ?? header };
  } catch (err) {
    throw fromJoseError(err, 'open');
  }
}
