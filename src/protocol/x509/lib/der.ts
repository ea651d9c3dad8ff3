import { DiscoError } from '../../errors/index.js';

/** The largest certificate we accept, in DER bytes. Real client certificates are 0.5–3 KiB. */
export const MAX_CERTIFICATE_BYTES = 64 * 1024;

interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

function malformed(reason: string): DiscoError {
  return new DiscoError('ERR_CERT_MALFORMED', `certificate is not valid DER: ${reason}`);
}

/** One DER tag-length-value with a low tag number and a minimal definite length (X.690 §10.1). */
function readTlv(der: Uint8Array, start: number, limit: number): Tlv {
  if (start + 2 > limit) throw malformed('truncated');
  const tag = der[start]!;
  if ((tag & 0x1f) === 0x1f) throw malformed('unexpected high tag number');
  let length = der[start + 1]!;
  let contentStart = start + 2;
  if (length === 0x80) throw malformed('indefinite length');
  if (length > 0x80) {
    const count = length & 0x7f;
    // 3 length octets already cover 16 MiB, far above MAX_CERTIFICATE_BYTES.
    if (count > 3 || contentStart + count > limit) throw malformed('bad length');
    if (der[contentStart] === 0) throw malformed('non-minimal length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[contentStart + i]!;
    if (length < 0x80) throw malformed('non-minimal length');
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) throw malformed('truncated');
  return { tag, start, contentStart, end };
}

function expectTag(tlv: Tlv, tag: number, what: string): Tlv {
  if (tlv.tag !== tag) throw malformed(`expected ${what}`);
  return tlv;
}

function sameBytes(der: Uint8Array, a: Tlv, b: Tlv): boolean {
  if (a.end - a.start !== b.end - b.start) return false;
  for (let i = 0; i < a.end - a.start; i++) {
    if (der[a.start + i] !== der[b.start + i]) return false;
  }
  return true;
}

/**
 * Checks the outer shape of a Certificate (RFC 5280 §4.1) before the full ASN.1 parser sees it:
 * exactly one SEQUENCE and no trailing bytes, version v3 (only v3 has extensions, which carry
 * every constraint we check, §4.1.2.1), and `signatureAlgorithm` byte-equal to the
 * `tbsCertificate.signature` field (§4.1.1.2: "MUST contain the same algorithm identifier").
 */
export function checkCertificateOutline(der: Uint8Array): void {
  if (der.length === 0) throw malformed('empty');
  if (der.length > MAX_CERTIFICATE_BYTES) {
    throw new DiscoError(
      'ERR_CERT_MALFORMED',
      `certificate is larger than ${MAX_CERTIFICATE_BYTES} bytes`,
    );
  }
  const cert = expectTag(readTlv(der, 0, der.length), 0x30, 'Certificate SEQUENCE');
  if (cert.end !== der.length) throw malformed('trailing bytes after the certificate');
  const tbs = expectTag(readTlv(der, cert.contentStart, cert.end), 0x30, 'TBSCertificate');
  const signatureAlgorithm = expectTag(
    readTlv(der, tbs.end, cert.end),
    0x30,
    'AlgorithmIdentifier',
  );
  const signatureValue = expectTag(
    readTlv(der, signatureAlgorithm.end, cert.end),
    0x03,
    'BIT STRING',
  );
  if (signatureValue.end !== cert.end) throw malformed('extra fields in Certificate');

  // TBSCertificate ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, serialNumber, signature, ... }
  const first = readTlv(der, tbs.contentStart, tbs.end);
  if (first.tag !== 0xa0) throw malformed('only X.509 v3 certificates are accepted');
  const version = expectTag(readTlv(der, first.contentStart, first.end), 0x02, 'version INTEGER');
  if (
    version.end !== first.end ||
    version.end - version.contentStart !== 1 ||
    der[version.contentStart] !== 2
  ) {
    throw malformed('only X.509 v3 certificates are accepted');
  }
  const serial = expectTag(readTlv(der, first.end, tbs.end), 0x02, 'serialNumber INTEGER');
  const innerAlgorithm = expectTag(readTlv(der, serial.end, tbs.end), 0x30, 'AlgorithmIdentifier');
  if (!sameBytes(der, innerAlgorithm, signatureAlgorithm)) {
    throw malformed('signatureAlgorithm differs from tbsCertificate.signature');
  }
}
