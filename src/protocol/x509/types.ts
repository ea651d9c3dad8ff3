import type { x509 } from './lib/peculiar.js';
type X509Certificate = x509.X509Certificate;

/** What the device does with a client's key: verify its signatures, or encrypt to it. */
export type KeyPurpose = 'verify' | 'encrypt';

/** The subject public key, as the consent screen shows it (RFC 5280 §4.1.2.7). */
export type PublicKeyInfo =
  | { readonly type: 'RSA'; readonly modulusBits: number }
  | { readonly type: 'EC'; readonly curve: 'P-256' | 'P-384' | 'P-521' }
  | { readonly type: 'Ed25519' }
  | { readonly type: 'unsupported'; readonly algorithm: string };

/** Key usage bit names (RFC 5280 §4.2.1.3; `nonRepudiation` is X.509's `contentCommitment`). */
export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

/** Basic constraints (RFC 5280 §4.2.1.9). */
export interface BasicConstraints {
  readonly ca: boolean;
  /** `pathLenConstraint`, or null when absent (no limit). */
  readonly pathLength: number | null;
  readonly critical: boolean;
}

/**
 * A parsed certificate: a small plain summary for people and policy, plus the parsed object.
 * Names are RFC 4514 strings; absent extensions are `null`, so "no key usage extension" (any use
 * allowed) is not confused with "an empty one".
 */
export interface ParsedCertificate {
  readonly subject: string;
  /** The first commonName of the subject, or null. */
  readonly subjectCommonName: string | null;
  readonly issuer: string;
  readonly issuerCommonName: string | null;
  /** Serial number in lower-case hex, as encoded (RFC 5280 §4.1.2.2). */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly publicKey: PublicKeyInfo;
  /** e.g. `ECDSA with SHA-256`, `RSASSA-PKCS1-v1_5 with SHA-256`, `Ed25519`. */
  readonly signatureAlgorithm: string;
  /** SHA-256 of the DER, base64url: RFC 8705 §3.1 `x5t#S256`. */
  readonly thumbprint: string;
  /** Subject equals issuer and the certificate's own key verifies its signature. */
  readonly selfSigned: boolean;
  readonly keyUsage: readonly KeyUsageName[] | null;
  /** Known purposes by RFC 5280 §4.2.1.12 name (`clientAuth`, …), others as dotted OIDs. */
  readonly extendedKeyUsage: readonly string[] | null;
  readonly basicConstraints: BasicConstraints | null;
  /** The exact DER bytes that were parsed. */
  readonly der: Uint8Array;
  readonly certificate: X509Certificate;
}
