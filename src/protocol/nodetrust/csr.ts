import { DiscoError } from '../errors/index.js';
import { x509 } from '../x509/lib/peculiar.js';
import { keyGenParams, signingParams, type KeyAlgorithm } from './algorithms.js';

/** Longest CSR accepted (DER bytes): an RSA-4096 CSR with a few names is about 1.7 KB. */
export const MAX_CSR_BYTES = 8_192;
export const MAX_CSR_NAMES = 10;

/**
 * A fresh certificate key pair, non-extractable by default (a device's key never leaves it); a
 * server that hands its key to a TLS stack (the relay) asks for an extractable one.
 */
export async function generateCertificateKey(
  algorithm: KeyAlgorithm,
  options: { extractable?: boolean; subtle?: SubtleCrypto } = {},
): Promise<CryptoKeyPair> {
  const subtle = options.subtle ?? crypto.subtle;
  return subtle.generateKey(keyGenParams(algorithm), options.extractable ?? false, [
    'sign',
    'verify',
  ]);
}

/**
 * A PKCS #10 request (RFC 2986) for `names` (the first is also the CN), each a dNSName in the
 * subjectAltName extension (RFC 5280 §4.2.1.6), signed by the certificate key: the issue server
 * and the CA only ever see this, never the private key.
 */
export async function createCsr(
  names: readonly string[],
  keys: CryptoKeyPair,
  algorithm: KeyAlgorithm,
): Promise<Uint8Array> {
  if (names.length === 0 || names.length > MAX_CSR_NAMES) {
    throw new DiscoError('ERR_NODETRUST_CSR_INVALID', 'a CSR names 1 to 10 names');
  }
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [names[0] ?? ''] }],
    keys,
    signingAlgorithm: signingParams(algorithm),
    extensions: [
      new x509.SubjectAlternativeNameExtension(
        names.map((value) => ({ type: 'dns' as const, value })),
      ),
    ],
  });
  return new Uint8Array(csr.rawData);
}

export interface CsrSummary {
  /** CN and dNSNames, lower case, without duplicates. */
  readonly names: readonly string[];
  /** The subject key's algorithm, one of those accepted. */
  readonly algorithm: KeyAlgorithm;
}

interface KeyAlgorithmFields {
  readonly name: string;
  readonly namedCurve?: unknown;
  readonly modulusLength?: unknown;
}

function algorithmOf(key: KeyAlgorithmFields): KeyAlgorithm | undefined {
  if (key.name === 'ECDSA' && key.namedCurve === 'P-256') return 'ecdsa-p256';
  if (key.name === 'ECDSA' && key.namedCurve === 'P-384') return 'ecdsa-p384';
  if (key.name === 'RSASSA-PKCS1-v1_5') {
    if (key.modulusLength === 2048) return 'rsa-2048';
    if (key.modulusLength === 3072) return 'rsa-3072';
    if (key.modulusLength === 4096) return 'rsa-4096';
  }
  return undefined;
}

function parse(der: Uint8Array): x509.Pkcs10CertificateRequest {
  if (!(der instanceof Uint8Array) || der.length === 0 || der.length > MAX_CSR_BYTES) {
    throw new DiscoError('ERR_NODETRUST_CSR_INVALID', 'CSR: missing or too large');
  }
  try {
    return new x509.Pkcs10CertificateRequest(Uint8Array.from(der));
  } catch (cause) {
    throw new DiscoError('ERR_NODETRUST_CSR_INVALID', 'CSR: not a PKCS #10 request', { cause });
  }
}

/**
 * Parses and checks a CSR: DER of a PKCS #10 request (RFC 2986) whose subject key is one of
 * `accept` (ERR_NODETRUST_CSR_KEY otherwise: an Ed25519 or P-521 key, say), whose self-signature
 * verifies (RFC 2986 §3: the requester holds the key) and whose alternative names are dNSNames
 * only (ERR_NODETRUST_CSR_INVALID otherwise).
 */
export async function readCsr(
  der: Uint8Array,
  accept: readonly KeyAlgorithm[],
): Promise<CsrSummary> {
  const csr = parse(der);
  let key: KeyAlgorithmFields;
  try {
    key = csr.publicKey.algorithm;
  } catch {
    key = { name: 'an unknown algorithm' };
  }
  const algorithm = algorithmOf(key);
  if (algorithm === undefined || !accept.includes(algorithm)) {
    const what = [key.name, key.namedCurve, key.modulusLength].filter(Boolean).join(' ');
    throw new DiscoError('ERR_NODETRUST_CSR_KEY', `CSR: a ${what} key is not accepted`);
  }
  let valid = false;
  try {
    valid = await csr.verify();
  } catch (cause) {
    throw new DiscoError('ERR_NODETRUST_CSR_INVALID', 'CSR: signature unreadable', { cause });
  }
  if (!valid) throw new DiscoError('ERR_NODETRUST_CSR_INVALID', 'CSR: bad self-signature');
  const names = new Set<string>();
  try {
    for (const cn of csr.subjectName.getField('CN')) names.add(cn.toLowerCase());
    const raw = csr.getExtension('2.5.29.17'); // id-ce-subjectAltName
    const san = raw ? new x509.SubjectAlternativeNameExtension(raw.rawData) : null;
    for (const entry of san?.names.items ?? []) {
      if (entry.type !== 'dns') throw new TypeError(`${entry.type} names are not issued`);
      names.add(entry.value.toLowerCase());
    }
  } catch (cause) {
    throw new DiscoError('ERR_NODETRUST_CSR_INVALID', 'CSR: names unreadable or not dNSNames', {
      cause,
    });
  }
  if (names.size === 0 || names.size > MAX_CSR_NAMES) {
    throw new DiscoError('ERR_NODETRUST_CSR_INVALID', 'CSR: 1 to 10 names');
  }
  return { names: [...names], algorithm };
}
