import { DiscoError } from '../../errors/index.js';
import type { KeyPurpose, ParsedCertificate } from '../types.js';
import { checkKeyFor } from './key_info.js';
import { ekuName } from './names.js';

/**
 * The client certificate itself (the end entity):
 * - not a CA: basicConstraints cA=TRUE or keyUsage keyCertSign are refused (§4.2.1.9, §4.2.1.3);
 * - keyUsage, when present, allows each purpose: `verify` needs digitalSignature; `encrypt`
 *   needs keyEncipherment for RSA (the key wraps a content key, RSA-OAEP) and keyAgreement for EC
 *   (ECDH-ES) (§4.2.1.3, RFC 5480 §3);
 * - extendedKeyUsage, when present, contains one of `acceptedEku` or anyExtendedKeyUsage
 *   (§4.2.1.12);
 * - the key type and size fit every purpose (ERR_CERT_KEY_UNSUPPORTED).
 */
export function checkLeaf(
  leaf: ParsedCertificate,
  purposes: readonly KeyPurpose[],
  acceptedEku: readonly string[],
): void {
  if (leaf.basicConstraints?.ca) {
    throw new DiscoError(
      'ERR_CERT_BASIC_CONSTRAINTS',
      'a CA certificate cannot be a client certificate',
    );
  }
  const ku = leaf.keyUsage;
  if (ku?.includes('keyCertSign')) {
    throw new DiscoError('ERR_CERT_KEY_USAGE', 'a client certificate must not assert keyCertSign');
  }
  for (const purpose of purposes) {
    checkKeyFor(leaf.publicKey, purpose);
    const needed =
      purpose === 'verify'
        ? 'digitalSignature'
        : leaf.publicKey.type === 'RSA'
          ? 'keyEncipherment'
          : 'keyAgreement';
    if (ku && !ku.includes(needed)) {
      throw new DiscoError(
        'ERR_CERT_KEY_USAGE',
        `keyUsage does not allow ${needed}, needed to ${purpose}`,
      );
    }
  }
  const eku = leaf.extendedKeyUsage;
  if (eku && !eku.includes('anyExtendedKeyUsage')) {
    const accepted = acceptedEku.map(ekuName);
    if (!accepted.some((name) => eku.includes(name))) {
      throw new DiscoError(
        'ERR_CERT_KEY_USAGE',
        `extendedKeyUsage has none of ${accepted.join(', ')}`,
      );
    }
  }
}
