import type { JWK } from 'jose';
import { DiscoError } from '../../errors/index.js';
import { seal, type SealOptions } from './seal.js';

const encoder = new TextEncoder();

/**
 * Seals a JSON value (RFC 8259, UTF-8) in an envelope; see {@link seal}.
 *
 * @throws DiscoError `ERR_INVALID_INPUT` when `value` has no JSON form (undefined, a function,
 *   a BigInt, a cycle); otherwise as {@link seal}.
 */
export async function sealJson(
  value: unknown,
  recipientPublicKey: CryptoKey | JWK,
  opts: SealOptions = {},
): Promise<string> {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (cause) {
    throw new DiscoError('ERR_INVALID_INPUT', 'value cannot be written as JSON', { cause });
  }
  if (json === undefined) throw new DiscoError('ERR_INVALID_INPUT', 'value has no JSON form');
  return seal(encoder.encode(json), recipientPublicKey, opts);
}
