import type { KeyUsageName } from '../types.js';

/** Object identifiers used by the checks (RFC 5280 §4.2.1, §4.2.1.12). */
export const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  anyExtendedKeyUsage: '2.5.29.37.0',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

const EKU_NAMES: Readonly<Record<string, string>> = {
  '2.5.29.37.0': 'anyExtendedKeyUsage',
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

/** RFC 5280 §4.2.1.12 name of a key purpose, or its dotted OID when it has none. */
export function ekuName(oid: string): string {
  return EKU_NAMES[oid] ?? oid;
}

/** Bit order of KeyUsage as @peculiar/x509 flags it (bit 0 = digitalSignature = flag 1). */
const KEY_USAGE_BITS: readonly KeyUsageName[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

export function keyUsageNames(flags: number): KeyUsageName[] {
  return KEY_USAGE_BITS.filter((_, bit) => (flags & (1 << bit)) !== 0);
}
