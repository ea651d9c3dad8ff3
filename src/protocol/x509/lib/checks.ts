import { DiscoError } from '../../errors/index.js';
import type { ParsedCertificate } from '../types.js';
import { checkRsaSize } from './key_info.js';
import { OID } from './names.js';
import { EMPTY_NAME_KEY, nameKey } from './summarize.js';

/** How error messages name a certificate: its CN or subject, cut short (it is client-chosen). */
export function label(cert: ParsedCertificate): string {
  const name = cert.subjectCommonName ?? cert.subject;
  return name.length > 64 ? `${name.slice(0, 63)}…` : name;
}

/**
 * RFC 5280 §4.1.2.5: a certificate is valid from notBefore through notAfter, both inclusive.
 * `skewMs` widens the window on both sides for clocks that disagree a little.
 */
export function checkValidity(cert: ParsedCertificate, nowMs: number, skewMs: number): void {
  if (nowMs + skewMs < cert.notBefore.getTime()) {
    throw new DiscoError('ERR_CERT_NOT_YET_VALID', `certificate "${label(cert)}" is not valid yet`);
  }
  if (nowMs - skewMs > cert.notAfter.getTime()) {
    throw new DiscoError('ERR_CERT_EXPIRED', `certificate "${label(cert)}" has expired`);
  }
}

/** Extensions whose meaning we know; all others are ignored only when non-critical. */
const UNDERSTOOD: ReadonlySet<string> = new Set([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
]);

/**
 * RFC 5280 §4.2: "A certificate-using system MUST reject the certificate if it encounters a
 * critical extension it does not recognize". We do not process name constraints, policies or
 * AIA, so a certificate that marks one of those critical is refused rather than half-checked.
 */
export function checkCriticalExtensions(cert: ParsedCertificate): void {
  for (const extension of cert.certificate.extensions) {
    if (extension.critical && !UNDERSTOOD.has(extension.type)) {
      throw new DiscoError(
        'ERR_CERT_UNTRUSTED',
        `certificate "${label(cert)}" has a critical extension ${extension.type} that Disco does not process`,
      );
    }
  }
}

/** `isSelfIssued` per parse tree: it re-encodes both names, and depends on the bytes alone. */
const selfIssued = new WeakMap<object, boolean>();

/** Subject and issuer are the same non-empty name (RFC 5280 §6.1: "self-issued"). */
export function isSelfIssued(cert: ParsedCertificate): boolean {
  const known = selfIssued.get(cert.certificate);
  if (known !== undefined) return known;
  const subject = nameKey(cert.certificate.subjectName);
  const answer = subject !== EMPTY_NAME_KEY && subject === nameKey(cert.certificate.issuerName);
  selfIssued.set(cert.certificate, answer);
  return answer;
}

/** Hashes we accept in certificate signatures: SHA-1 is broken for signatures (RFC 9155 §1). */
const SIGNATURE_HASHES: ReadonlySet<string> = new Set(['SHA-256', 'SHA-384', 'SHA-512']);

/**
 * Signatures already seen to verify: the child's parse tree → the parse trees of the issuers
 * whose key verified it. Whether `child`'s signature verifies with `issuer`'s key is a pure
 * function of the two certificates' bytes, and a parse tree is never changed once made (the
 * certificate cache shares one per byte string), so a success found once stays true; nothing
 * else (validity, pins, anchors, usage) is kept. Failures are not kept: they are checked again.
 * Weak on both sides, so this holds nothing the certificates themselves do not.
 */
const verified = new WeakMap<object, WeakSet<object>>();

/** `child`'s signature verifies with `issuer`'s public key (RFC 5280 §6.1.3 (a)(1)). */
export async function checkSignedBy(
  child: ParsedCertificate,
  issuer: ParsedCertificate,
): Promise<void> {
  if (verified.get(child.certificate)?.has(issuer.certificate)) return;
  let ok = false;
  try {
    const algorithm = child.certificate.signatureAlgorithm;
    const hashed = algorithm.name !== 'Ed25519';
    if (!hashed || SIGNATURE_HASHES.has(algorithm.hash?.name ?? '')) {
      checkRsaSize(issuer.publicKey);
      ok = await child.certificate.verify(
        { publicKey: issuer.certificate.publicKey, signatureOnly: true },
        crypto,
      );
    }
  } catch (err) {
    if (err instanceof DiscoError) throw err;
    ok = false; // unknown algorithm or a key WebCrypto refuses: nothing verified
  }
  if (!ok) {
    throw new DiscoError(
      'ERR_CERT_SIGNATURE_INVALID',
      `the signature on "${label(child)}" does not verify with the key of "${label(issuer)}" (${child.signatureAlgorithm})`,
    );
  }
  const issuers = verified.get(child.certificate) ?? new WeakSet<object>();
  issuers.add(issuer.certificate);
  verified.set(child.certificate, issuers);
}

/**
 * An issuing certificate must be a CA (RFC 5280 §4.2.1.9): basicConstraints present, critical
 * and cA=TRUE; and if it has keyUsage, keyCertSign must be set (§4.2.1.3, §6.1.4 (k), (n)).
 */
export function checkIsCa(cert: ParsedCertificate): void {
  const bc = cert.basicConstraints;
  let problem: string | null = null;
  if (!bc || !bc.ca) problem = 'is not a CA (basicConstraints cA is not set)';
  else if (!bc.critical) problem = 'does not mark basicConstraints critical';
  else if (cert.keyUsage && !cert.keyUsage.includes('keyCertSign'))
    problem = 'has keyUsage without keyCertSign';
  if (problem)
    throw new DiscoError('ERR_CERT_BASIC_CONSTRAINTS', `issuer "${label(cert)}" ${problem}`);
}
