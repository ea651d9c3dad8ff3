import { DiscoError } from '../../errors/index.js';
import { thumbprint } from '../thumbprint.js';
import type { BasicConstraints, ParsedCertificate } from '../types.js';
import { checkCertificateOutline } from './der.js';
import { describePublicKey } from './key_info.js';
import { ekuName, keyUsageNames } from './names.js';
import { x509 } from './peculiar.js';

/** DER of a Name as a lookup key; RFC 5280 §7.1 allows binary comparison, the strictest kind. */
export function nameKey(name: x509.Name): string {
  let key = '';
  for (const byte of new Uint8Array(name.toArrayBuffer()))
    key += byte.toString(16).padStart(2, '0');
  return key;
}

/** An empty Name is the DER SEQUENCE `30 00`. */
export const EMPTY_NAME_KEY = '3000';

function signatureAlgorithmOf(cert: x509.X509Certificate): string {
  try {
    const algorithm = cert.signatureAlgorithm;
    return algorithm.hash ? `${algorithm.name} with ${algorithm.hash.name}` : algorithm.name;
  } catch {
    return 'unsupported';
  }
}

async function verifiesItself(cert: x509.X509Certificate): Promise<boolean> {
  try {
    return await cert.verify({ signatureOnly: true }, crypto);
  } catch {
    return false;
  }
}

/**
 * Parses one DER certificate into a ParsedCertificate. Everything the library parses lazily is
 * read here, so a certificate that parses is one whose fields and extensions all decode.
 */
export async function summarize(input: Uint8Array): Promise<ParsedCertificate> {
  const der = new Uint8Array(input); // our own copy: callers may reuse their buffer
  checkCertificateOutline(der);
  let certificate: x509.X509Certificate;
  let fields: Omit<ParsedCertificate, 'thumbprint' | 'selfSigned' | 'der' | 'certificate'>;
  try {
    certificate = new x509.X509Certificate(new Uint8Array(der).buffer);
    const types = certificate.extensions.map((extension) => extension.type);
    if (new Set(types).size !== types.length) {
      // RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a particular extension."
      throw new Error('duplicate extension');
    }
    if (nameKey(certificate.issuerName) === EMPTY_NAME_KEY) {
      // RFC 5280 §4.1.2.4: "The issuer field MUST contain a non-empty distinguished name".
      throw new Error('empty issuer name');
    }
    const bc = certificate.getExtension(x509.BasicConstraintsExtension);
    const basicConstraints: BasicConstraints | null = bc
      ? { ca: bc.ca, pathLength: bc.pathLength ?? null, critical: bc.critical }
      : null;
    const ku = certificate.getExtension(x509.KeyUsagesExtension);
    const eku = certificate.getExtension(x509.ExtendedKeyUsageExtension);
    fields = {
      subject: certificate.subject,
      subjectCommonName: certificate.subjectName.getField('CN')[0] ?? null,
      issuer: certificate.issuer,
      issuerCommonName: certificate.issuerName.getField('CN')[0] ?? null,
      serialNumber: certificate.serialNumber.toLowerCase(),
      notBefore: new Date(certificate.notBefore.getTime()),
      notAfter: new Date(certificate.notAfter.getTime()),
      publicKey: describePublicKey(certificate),
      signatureAlgorithm: signatureAlgorithmOf(certificate),
      keyUsage: ku ? keyUsageNames(ku.usages) : null,
      extendedKeyUsage: eku ? eku.usages.map((usage) => ekuName(String(usage))) : null,
      basicConstraints,
    };
    nameKey(certificate.subjectName); // re-encodes the subject: any failure belongs in this try
  } catch (cause) {
    throw new DiscoError('ERR_CERT_MALFORMED', 'certificate could not be parsed', { cause });
  }
  const selfSigned =
    nameKey(certificate.subjectName) === nameKey(certificate.issuerName) &&
    (await verifiesItself(certificate));
  return { ...fields, thumbprint: await thumbprint(der), selfSigned, der, certificate };
}
