export { parseCertificate } from './parse_certificate.js';
export {
  createCertificateCache,
  DEFAULT_CACHE_BYTES,
  DEFAULT_CACHE_ENTRIES,
  type CertificateCache,
  type CertificateCacheOptions,
} from './certificate_cache.js';
export { parseCertificateChain, MAX_CHAIN_CERTIFICATES } from './parse_certificate_chain.js';
export { thumbprint } from './thumbprint.js';
export {
  importCertificateKey,
  type ImportCertificateKeyOptions,
} from './import_certificate_key.js';
export {
  validateCertificate,
  MAX_SKEW_SECONDS,
  MAX_INTERMEDIATES_GIVEN,
  type ValidateCertificateOptions,
  type ValidatedCertificate,
} from './validate_certificate.js';
export { MAX_CERTIFICATE_BYTES } from './lib/der.js';
export type {
  BasicConstraints,
  KeyPurpose,
  KeyUsageName,
  ParsedCertificate,
  PublicKeyInfo,
} from './types.js';
