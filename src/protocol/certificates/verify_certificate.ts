import { b64u } from '../encoding/index.js';
import { DiscoError } from '../errors/index.js';
import { sameBytes } from './cbor.js';
import { assertCovered, isAttenuation, type Action } from './capabilities.js';
import type { Certificate } from './certificate.js';
import { CAPABILITY_LIMITS, secondsOf } from './limits.js';
import { parseCertificate } from './parse_certificate.js';
import type { RevocationList } from './revocation_list.js';

/** Root issuers (device identity keys) a verifier accepts: a list, or a test. Deny by default. */
export type TrustedIssuers = readonly Uint8Array[] | ((issuer: Uint8Array) => boolean);

export interface VerifyCertificateOptions {
  /** The resource about to be used; every link must cover it. */
  readonly resource: string;
  /** The action about to be taken; every link must grant it. */
  readonly action: Exclude<Action, '*'>;
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** The revocation lists held, already parsed; the root issuer's must be fresh. */
  readonly revocations: readonly RevocationList[];
  /**
   * Root issuers this verifier accepts. Required: a chain rooted in any key at all proves
   * nothing (UCAN's deny by default), so there is no "trust everyone" default.
   */
  readonly trustedIssuers: TrustedIssuers;
}

export interface VerifiedCertificate {
  readonly chain: readonly Certificate[];
  /** The device key at the root: whose authority this is. */
  readonly rootIssuer: Uint8Array;
  /** The last link's subject: the key that may use the capability. */
  readonly subject: Uint8Array;
}

export const fail = (code: ConstructorParameters<typeof DiscoError>[0], why: string) =>
  new DiscoError(code, `capability: ${why}`);

/**
 * Verifies a certificate chain for one use, without an invocation (docs/wire/certificates.md
 * "Verification"): the chain is well linked and narrows at each step, its root issuer is
 * trusted, every link is valid now and covers `resource` and `action`, and the root issuer's
 * fresh revocation list names none of it. What the holder signs with the subject key is checked
 * by `verifyCapability`, which runs these same rules.
 */
export async function verifyCertificate(
  certificate: Uint8Array | readonly Uint8Array[],
  opts: VerifyCertificateOptions,
): Promise<VerifiedCertificate> {
  const chain = await parseChain(certificate);
  checkLinks(chain, opts.trustedIssuers);
  checkCovered(chain, opts.resource, opts.action);
  const now = secondsOf(opts.now);
  checkTimes(chain, now);
  checkRevocations(chain, opts.revocations, now);
  return { chain, rootIssuer: chain[0]!.issuer, subject: chain[chain.length - 1]!.subject };
}

/** The chain's bytes, root first, parsed and signature-checked; at most five links. */
export async function parseChain(
  certificate: Uint8Array | readonly Uint8Array[],
): Promise<Certificate[]> {
  const encoded = certificate instanceof Uint8Array ? [certificate] : certificate;
  if (encoded.length === 0) throw fail('ERR_CAP_MALFORMED', 'no certificate');
  if (encoded.length > CAPABILITY_LIMITS.maxChainLength) {
    throw fail('ERR_CAP_CHAIN_TOO_LONG', 'more than 5 certificates');
  }
  const chain: Certificate[] = [];
  for (const bytes of encoded) chain.push(await parseCertificate(bytes));
  return chain;
}

/** The root is trusted; each link is issued by its parent's subject and narrows it; no key twice. */
export function checkLinks(chain: readonly Certificate[], trustedIssuers: TrustedIssuers) {
  const root = chain[0]!;
  const trusted =
    typeof trustedIssuers === 'function'
      ? trustedIssuers(root.issuer)
      : trustedIssuers.some((key) => sameBytes(key, root.issuer));
  if (!trusted) throw fail('ERR_CAP_UNTRUSTED_ISSUER', 'the root issuer is not trusted here');
  if (root.parent !== undefined) throw fail('ERR_CAP_PROOF_MISMATCH', 'the root names a parent');
  const keys = [root.issuer];
  for (let i = 1; i < chain.length; i++) {
    const parent = chain[i - 1]!;
    const child = chain[i]!;
    if (child.parent !== parent.id)
      throw fail('ERR_CAP_PROOF_MISMATCH', 'a link names another parent');
    if (!sameBytes(child.issuer, parent.subject)) {
      throw fail('ERR_CAP_WRONG_SUBJECT', "a link is not issued by its parent's subject");
    }
    if (
      !isAttenuation(parent.capabilities, child.capabilities) ||
      child.notBefore < parent.notBefore ||
      child.expiresAt > parent.expiresAt ||
      !profileWithin(parent.profile, child.profile)
    ) {
      throw fail('ERR_CAP_WIDENED', 'a delegation is wider than its parent');
    }
    keys.push(child.issuer);
  }
  keys.push(chain[chain.length - 1]!.subject);
  // A key twice in one chain is a cycle (UCAN: no repeated keys); it grants nothing new.
  if (keys.some((k, i) => keys.findIndex((other) => sameBytes(other, k)) !== i)) {
    throw fail('ERR_CAP_PROOF_MISMATCH', 'a key appears twice in the chain');
  }
}

function profileWithin(
  parent?: Readonly<Record<string, string>>,
  child?: Readonly<Record<string, string>>,
) {
  if (child === undefined) return true;
  return Object.entries(child).every(([k, v]) => parent?.[k] === v);
}

/** Every link grants this action on this resource. */
export function checkCovered(
  chain: readonly Certificate[],
  resource: string,
  action: Exclude<Action, '*'>,
) {
  for (const certificate of chain) assertCovered(certificate.capabilities, resource, action);
}

/** Every period valid now (±skew): UCAN's "valid at execution time". `now` in seconds. */
export function checkTimes(
  periods: readonly { readonly notBefore: number; readonly expiresAt: number }[],
  now: number,
) {
  const { skew } = CAPABILITY_LIMITS;
  for (const c of periods) {
    if (now + skew < c.notBefore) throw fail('ERR_CAP_NOT_YET_VALID', 'not valid yet');
    if (now - skew >= c.expiresAt) throw fail('ERR_CAP_EXPIRED', 'expired');
  }
}

/**
 * The root issuer's list must be fresh and revoke no part of the chain (docs/wire/certificates.md
 * "Revocation list"): no link's id is listed, and no link's subject nor any delegation's issuer
 * is a revoked subject, so revoking an app's key also stops what that app delegated onward.
 * `now` in seconds.
 */
export function checkRevocations(
  chain: readonly Certificate[],
  lists: readonly RevocationList[],
  now: number,
) {
  const root = chain[0]!.issuer;
  const list = lists.find((l) => sameBytes(l.issuer, root));
  if (list === undefined || now - list.issuedAt > CAPABILITY_LIMITS.revocationFreshness) {
    throw fail(
      'ERR_CAP_REVOCATIONS_STALE',
      "no fresh revocation list from the certificate's issuer",
    );
  }
  if (chain.some((c) => list.revoked.includes(c.id))) {
    throw fail('ERR_CAP_REVOKED', 'a certificate in the chain is revoked');
  }
  if (list.revokedSubjects.length === 0) return;
  const subjects = new Set(list.revokedSubjects);
  // The root's issuer is the list's own signer, never a subject of it; every other key counts.
  const keys = chain.flatMap((c, i) => (i === 0 ? [c.subject] : [c.issuer, c.subject]));
  if (keys.some((key) => subjects.has(b64u.encode(key)))) {
    throw fail('ERR_CAP_REVOKED', 'a key in the chain is revoked with all of its certificates');
  }
}
