/**
 * Certificate factories for tests (x509, auth, relay; kept out of the protocol core, issue #15).
 * `codeOf` is src/testing/code_of.ts. Keys are generated once
 * per kind and reused, so a suite costs a handful of key generations.
 */
import { x509 } from '../protocol/x509/lib/peculiar.js';
import {
  parseCertificate,
  type ParsedCertificate,
  type ValidateCertificateOptions,
} from '../protocol/x509/index.js';

export type KeyKind = 'RSA' | 'P-256' | 'P-384' | 'P-521' | 'Ed25519' | 'RSA-1024' | 'RSA-SHA1';

const ALGORITHMS: Record<KeyKind, RsaHashedKeyGenParams | EcKeyGenParams | Algorithm> = {
  RSA: {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  },
  'RSA-1024': {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 1024,
  },
  'RSA-SHA1': {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-1',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  },
  'P-256': { name: 'ECDSA', namedCurve: 'P-256' },
  'P-384': { name: 'ECDSA', namedCurve: 'P-384' },
  'P-521': { name: 'ECDSA', namedCurve: 'P-521' },
  Ed25519: { name: 'Ed25519' },
};

export interface TestKeys {
  readonly kind: KeyKind;
  readonly keys: CryptoKeyPair;
  readonly signingAlgorithm: Algorithm;
}

const cache = new Map<string, Promise<TestKeys>>();

/** A key pair of the given kind; `slot` gives distinct keys of the same kind. */
export function testKeys(kind: KeyKind, slot = 0): Promise<TestKeys> {
  const id = `${kind}/${slot}`;
  let keys = cache.get(id);
  if (!keys) {
    const algorithm = ALGORITHMS[kind];
    keys = (
      crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']) as Promise<CryptoKeyPair>
    ).then((pair) => ({
      kind,
      keys: pair,
      signingAlgorithm:
        algorithm.name === 'ECDSA'
          ? { name: 'ECDSA', hash: kind === 'P-256' ? 'SHA-256' : 'SHA-384' }
          : algorithm,
    }));
    cache.set(id, keys);
  }
  return keys;
}

export const DAY = 86_400_000;
/** The fixed "now" of the tests. */
export const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

export interface CertSpec {
  readonly subject: string;
  readonly keys: TestKeys;
  /** The issuer's certificate and keys; omit for self-signed. */
  readonly issuer?: { readonly cert: x509.X509Certificate; readonly keys: TestKeys } | undefined;
  readonly notBefore?: number | undefined;
  readonly notAfter?: number | undefined;
  /** basicConstraints: `undefined` = leave out; `{ ca, pathLength?, critical? }` otherwise. */
  readonly basicConstraints?:
    | {
        readonly ca: boolean;
        readonly pathLength?: number;
        readonly critical?: boolean;
      }
    | undefined;
  readonly keyUsage?: x509.KeyUsageFlags | undefined;
  readonly extendedKeyUsage?: readonly string[] | undefined;
  readonly extensions?: readonly x509.Extension[] | undefined;
  readonly serialNumber?: string | undefined;
}

let serial = 1;

export async function makeCert(spec: CertSpec): Promise<x509.X509Certificate> {
  const extensions: x509.Extension[] = [];
  const bc = spec.basicConstraints;
  if (bc)
    extensions.push(new x509.BasicConstraintsExtension(bc.ca, bc.pathLength, bc.critical ?? true));
  if (spec.keyUsage !== undefined)
    extensions.push(new x509.KeyUsagesExtension(spec.keyUsage, true));
  if (spec.extendedKeyUsage)
    extensions.push(new x509.ExtendedKeyUsageExtension([...spec.extendedKeyUsage]));
  extensions.push(...(spec.extensions ?? []));
  const signer = spec.issuer?.keys ?? spec.keys;
  return x509.X509CertificateGenerator.create(
    {
      serialNumber: spec.serialNumber ?? (serial++).toString(16).padStart(4, '0'),
      subject: spec.subject,
      issuer: spec.issuer?.cert.subjectName ?? spec.subject,
      notBefore: new Date(spec.notBefore ?? NOW - 30 * DAY),
      notAfter: new Date(spec.notAfter ?? NOW + 30 * DAY),
      signingAlgorithm: signer.signingAlgorithm,
      publicKey: spec.keys.keys.publicKey,
      signingKey: signer.keys.privateKey,
      extensions,
    },
    crypto,
  );
}

/** A CA certificate spec: critical basicConstraints cA=TRUE and keyUsage keyCertSign + cRLSign. */
export function caSpec(subject: string, keys: TestKeys, pathLength?: number): CertSpec {
  return {
    subject,
    keys,
    basicConstraints: pathLength === undefined ? { ca: true } : { ca: true, pathLength },
    keyUsage: x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
  };
}

/** A copy of the certificate's DER: changing it leaves the certificate as it was. */
export function der(cert: x509.X509Certificate): Uint8Array {
  return new Uint8Array(cert.rawData.slice(0));
}

/** Parses a generated certificate from its DER. */
export const parse = (cert: x509.X509Certificate) => parseCertificate(der(cert));

/** The DER with one bit of the signature value flipped. */
export function tampered(cert: x509.X509Certificate): Uint8Array {
  const bytes = der(cert);
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01; // last byte of the signature value
  return bytes;
}

/** A small PKI: root → intermediate (pathLen 0) → client, all with keys of one kind. */
export async function pki(kind: KeyKind) {
  const rootKeys = await testKeys(kind, 1);
  const intKeys = await testKeys(kind, 2);
  const leafKeys = await testKeys(kind, 0);
  const root = await makeCert(caSpec('CN=Root, O=Acme', rootKeys));
  const int = await makeCert({
    ...caSpec('CN=Issuing CA, O=Acme', intKeys, 0),
    issuer: { cert: root, keys: rootKeys },
  });
  const usage =
    x509.KeyUsageFlags.digitalSignature |
    (kind === 'RSA' ? x509.KeyUsageFlags.keyEncipherment : x509.KeyUsageFlags.keyAgreement);
  const leafSpec = (over: Partial<CertSpec> = {}): CertSpec => ({
    subject: 'CN=client.example',
    keys: leafKeys,
    issuer: { cert: int, keys: intKeys },
    basicConstraints: { ca: false },
    keyUsage: usage,
    extendedKeyUsage: [x509.ExtendedKeyUsage.clientAuth],
    ...over,
  });
  const leaf = await makeCert(leafSpec());
  const selfSigned = await makeCert(leafSpec({ subject: 'CN=self.example', issuer: undefined }));
  return {
    rootKeys,
    intKeys,
    leafKeys,
    usage,
    leafSpec,
    root: await parse(root),
    rootCert: root,
    int: await parse(int),
    intCert: int,
    leaf: await parse(leaf),
    selfSigned: await parse(selfSigned),
  };
}

/** validateCertificate options at NOW for `verify`, with overrides. */
export function options(
  anchors: ParsedCertificate[],
  more: Partial<ValidateCertificateOptions> = {},
): ValidateCertificateOptions {
  return { now: NOW, anchors, purpose: 'verify', ...more };
}
