import { DiscoError } from '../errors/index.js';
import { x509 } from '../x509/lib/peculiar.js';

function untrusted(message: string, cause?: unknown): DiscoError {
  return new DiscoError(
    'ERR_RESPONSE_UNTRUSTED',
    `issue server: ${message}`,
    cause ? { cause } : {},
  );
}

const equal = (a: ArrayBuffer, b: ArrayBuffer) =>
  a.byteLength === b.byteLength &&
  new Uint8Array(a).every((byte, i) => byte === new Uint8Array(b)[i]);

/**
 * Checks what the issue server sent before the caller stores it: the first certificate of the PEM
 * chain certifies the CSR's key (RFC 5280 §4.1.2.7, compared as SubjectPublicKeyInfo) for exactly
 * the requested dNSNames. A certificate for another key would be useless, and a wrong name would
 * surface only at the first TLS handshake; both become ERR_RESPONSE_UNTRUSTED here. Trust in the
 * CA itself is the relying party's check (against its anchors).
 */
export function checkIssuedCertificate(
  chainPem: string,
  csrDer: Uint8Array,
  names: readonly string[],
): void {
  let leaf: x509.X509Certificate;
  let csr: x509.Pkcs10CertificateRequest;
  try {
    const first = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/.exec(chainPem)?.[0];
    if (!first) throw new TypeError('no PEM certificate');
    leaf = new x509.X509Certificate(first);
    csr = new x509.Pkcs10CertificateRequest(Uint8Array.from(csrDer));
  } catch (cause) {
    throw untrusted('the certificate does not parse', cause);
  }
  if (!equal(leaf.publicKey.rawData, csr.publicKey.rawData))
    throw untrusted('certificate for another key');
  const san = leaf.getExtension(x509.SubjectAlternativeNameExtension);
  const certified = new Set(
    (san?.names.items ?? []).filter((n) => n.type === 'dns').map((n) => n.value.toLowerCase()),
  );
  const asked = new Set(names.map((n) => n.toLowerCase()));
  if (certified.size !== asked.size || [...asked].some((n) => !certified.has(n))) {
    throw untrusted('certificate for other names');
  }
}
