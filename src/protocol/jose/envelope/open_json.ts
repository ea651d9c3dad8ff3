import { DiscoError } from '../../errors/index.js';
import { open, type OpenOptions } from './open.js';
import type { EnvelopeHeader } from './parse_envelope.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Opens an envelope whose plaintext is UTF-8 JSON (RFC 8259); see {@link open}. The value is
 * `unknown`: callers validate its shape at their boundary.
 *
 * @throws DiscoError `ERR_JWE_MALFORMED` when the (authentic) plaintext is not UTF-8 JSON;
 *   otherwise as {@link open}.
 */
export async function openJson(
  jwe: string,
  privateKey: CryptoKey,
  opts: OpenOptions = {},
): Promise<{ value: unknown; protectedHeader: EnvelopeHeader }> {
  const { plaintext, protectedHeader } = await open(jwe, privateKey, opts);
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(plaintext));
  } catch (cause) {
    throw new DiscoError('ERR_JWE_MALFORMED', 'envelope plaintext is not UTF-8 JSON', { cause });
  }
  return { value, protectedHeader };
}
