import { b64u, bytes, isCanonicalBase64url } from '../encoding/index.js';
import { DiscoError } from '../errors/index.js';
import {
  importCertificateKey,
  parseCertificate,
  validateCertificate,
  type ParsedCertificate,
} from '../x509/index.js';
import { x509 } from '../x509/lib/peculiar.js';
import { OID } from '../x509/lib/names.js';
import { normalizeZone, peerLabel } from './names.js';
import { pairingTranscript } from './pairing_transcript.js';
import { peerIdOfEd25519 } from './peer_id.js';

/** What a company learns from a verified device certificate. */
export interface VerifiedDeviceCertificate {
  /** The certificate's `p<peer id>.<zone>` name. */
  readonly name: string;
  /** The issuing CA's common name (its distinguished name when it has none). */
  readonly issuer: string;
  readonly notAfter: Date;
}

/** Most certificates in a presented chain (leaf and intermediates; the root is the anchor). */
export const MAX_DEVICE_CHAIN = 4;
/** Longest chain entry: base64 of a 3 KiB DER certificate (a relay's body is 8 KiB in all). */
export const MAX_DEVICE_CHAIN_ENTRY_CHARS = 4_096;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const ECDSA_P256 = { name: 'ECDSA', hash: 'SHA-256' } as const;

function base64ToDer(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/**
 * Whether a presentation has the right shape, before any parsing: 1 to MAX_DEVICE_CHAIN entries
 * of canonical base64, each at most MAX_DEVICE_CHAIN_ENTRY_CHARS, and a 64-byte base64url
 * signature. The relay checks this too (ERR_INVALID_INPUT), so what it stores is bounded.
 */
export function isPresentationShape(chain: unknown, signature: unknown): boolean {
  return (
    Array.isArray(chain) &&
    chain.length > 0 &&
    chain.length <= MAX_DEVICE_CHAIN &&
    chain.every(
      (entry) =>
        typeof entry === 'string' &&
        entry.length > 0 &&
        entry.length <= MAX_DEVICE_CHAIN_ENTRY_CHARS &&
        BASE64.test(entry),
    ) &&
    typeof signature === 'string' &&
    signature.length === 86 &&
    isCanonicalBase64url(signature)
  );
}

/** The certificate's dNSNames (RFC 5280 §4.2.1.6), lower case. */
function dnsNames(cert: ParsedCertificate): string[] {
  const raw = cert.certificate.getExtension(OID.subjectAltName);
  if (!raw) return [];
  const san = new x509.SubjectAlternativeNameExtension(raw.rawData);
  return san.names.items.flatMap((n) => (n.type === 'dns' ? [n.value.toLowerCase()] : []));
}

export interface VerifyDeviceCertificateOptions {
  readonly certificateChain: unknown;
  readonly certificateSignature: unknown;
  /** The company's own pairing uid (`XXXX-XXXX`), never the one the relay echoes. */
  readonly uid: string;
  readonly deviceId: string;
  /** The device's pinned Ed25519 identity key, its JWK `x` (base64url of 32 bytes). */
  readonly identityKeyX: string;
  /** CA certificates trusted for device certificates (pebble's root in tests, public roots). */
  readonly anchors: readonly ParsedCertificate[];
  /** Nodetrust zones whose names are accepted; any zone when absent. */
  readonly zones?: readonly string[];
  readonly now: number;
}

/**
 * Checks a device certificate presented at pairing, in order: the shape
 * (ERR_DEVICE_CERT_MALFORMED); the chain to one of `anchors` at `now`, as RFC 5280 §6.1 with a
 * serverAuth or clientAuth EKU (ACME CAs issue serverAuth; `validateCertificate`'s
 * ERR_CERT_UNTRUSTED, ERR_CERT_EXPIRED, …); a dNSName `p<base32 peer id>.<zone>` where the peer
 * id is the libp2p one of the pinned identity key, and the zone one of `zones` if given
 * (ERR_DEVICE_CERT_NAME); a P-256 key (ERR_CERT_KEY_UNSUPPORTED) whose signature of
 * `pairingTranscript(uid, deviceId)` verifies (ERR_DEVICE_CERT_SIGNATURE).
 */
export async function verifyDeviceCertificate(
  options: VerifyDeviceCertificateOptions,
): Promise<VerifiedDeviceCertificate> {
  const chain = options.certificateChain;
  if (!isPresentationShape(chain, options.certificateSignature))
    throw new DiscoError(
      'ERR_DEVICE_CERT_MALFORMED',
      `certificate_chain must hold 1 to ${MAX_DEVICE_CHAIN} base64 certificates, certificate_signature a base64url 64-byte signature`,
    );
  const signature = b64u.decode(options.certificateSignature as string);
  let parsed: ParsedCertificate[];
  try {
    parsed = await Promise.all(
      (chain as string[]).map((entry) => parseCertificate(base64ToDer(entry))),
    );
  } catch (cause) {
    throw new DiscoError('ERR_DEVICE_CERT_MALFORMED', 'an unreadable certificate', { cause });
  }
  const [leaf, ...intermediates] = parsed as [ParsedCertificate, ...ParsedCertificate[]];
  await validateCertificate(leaf, {
    now: options.now,
    anchors: options.anchors,
    intermediates,
    purpose: 'verify',
    extendedKeyUsage: [OID.serverAuth, OID.clientAuth],
    maxSkewSeconds: 60,
  });

  if (!isCanonicalBase64url(options.identityKeyX) || options.identityKeyX.length !== 43)
    throw new DiscoError('ERR_DEVICE_CERT_NAME', 'no Ed25519 identity key to derive a name from');
  const label = peerLabel(peerIdOfEd25519(b64u.decode(options.identityKeyX)));
  const zones = options.zones?.map((zone) => normalizeZone(zone));
  const name = dnsNames(leaf).find((n) => {
    const dot = n.indexOf('.');
    return n.slice(0, dot) === label && (!zones || zones.includes(n.slice(dot + 1)));
  });
  if (!name)
    throw new DiscoError('ERR_DEVICE_CERT_NAME', "the certificate is not for this device's key");

  if (leaf.publicKey.type !== 'EC' || leaf.publicKey.curve !== 'P-256')
    throw new DiscoError('ERR_CERT_KEY_UNSUPPORTED', 'a device certificate key is P-256');
  const key = await importCertificateKey(leaf, 'verify');
  const valid = await crypto.subtle.verify(
    ECDSA_P256,
    key,
    bytes(signature),
    pairingTranscript(options.uid, options.deviceId),
  );
  if (!valid)
    throw new DiscoError('ERR_DEVICE_CERT_SIGNATURE', 'the pairing transcript signature is bad');
  return { name, issuer: leaf.issuerCommonName ?? leaf.issuer, notAfter: leaf.notAfter };
}

export {
  derToBase64,
  pairingTranscript,
  signPairingTranscript,
  PAIRING_TRANSCRIPT_DOMAIN,
  type DeviceCertificatePresentation,
} from './pairing_transcript.js';
