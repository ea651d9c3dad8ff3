import { DiscoError } from '../errors/index.js';
import { sameBytes } from './cbor.js';
import { assertCovered, isAttenuation, type Action } from './capabilities.js';
import type { Certificate } from './certificate.js';
import type { Invocation } from './invocation.js';
import { CAPABILITY_LIMITS, secondsOf } from './limits.js';
import { parseCertificate } from './parse_certificate.js';
import { parseInvocation } from './parse_invocation.js';
import type { RevocationList } from './revocation_list.js';

export interface VerifyCapabilityOptions {
  /** The certificate, or the chain root first (the device's certificate, then delegations). */
  readonly certificate: Uint8Array | readonly Uint8Array[];
  /** The use, signed by the last certificate's subject. */
  readonly invocation: Uint8Array;
  /** What this verifier is about to do; the invocation must say exactly this. */
  readonly expect: {
    readonly audience: string;
    readonly resource: string;
    readonly action: Exclude<Action, '*'>;
    /** SHA-256 of the payload received with the invocation. */
    readonly digest?: Uint8Array;
  };
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** Root issuers (device identity keys) this verifier accepts. Deny by default. */
  readonly trustedIssuers: readonly Uint8Array[] | ((issuer: Uint8Array) => boolean);
  /** The revocation lists held, already parsed; the root issuer's must be fresh. */
  readonly revocations: readonly RevocationList[];
  /** Records the invocation id until `expiresAt` (seconds); false when it was seen already. */
  readonly remember: (id: string, expiresAt: number) => boolean;
}

export interface VerifiedCapability {
  readonly invocation: Invocation;
  readonly chain: readonly Certificate[];
  /** The device key at the root: whose authority this is. */
  readonly rootIssuer: Uint8Array;
}

const fail = (code: ConstructorParameters<typeof DiscoError>[0], why: string) =>
  new DiscoError(code, `capability: ${why}`);

/**
 * Verifies one use of a capability (docs/wire/certificates.md "Verification", UCAN 1.0 delegation and
 * invocation validation). Every rule must pass, or a DiscoError says which failed; nothing is
 * allowed by default. The invocation is remembered only after everything else passed.
 */
export async function verifyCapability(opts: VerifyCapabilityOptions): Promise<VerifiedCapability> {
  const encoded = opts.certificate instanceof Uint8Array ? [opts.certificate] : opts.certificate;
  if (encoded.length === 0) throw fail('ERR_CAP_MALFORMED', 'no certificate');
  if (encoded.length > CAPABILITY_LIMITS.maxChainLength) {
    throw fail('ERR_CAP_CHAIN_TOO_LONG', 'more than 5 certificates');
  }
  const invocation = await parseInvocation(opts.invocation);
  const chain: Certificate[] = [];
  for (const bytes of encoded) chain.push(await parseCertificate(bytes));

  checkChain(chain, invocation, opts);
  checkUse(chain, invocation, opts);
  checkTimes(chain, invocation, secondsOf(opts.now));
  checkRevocations(chain, opts.revocations, secondsOf(opts.now));
  if (!opts.remember(invocation.id, invocation.expiresAt + CAPABILITY_LIMITS.skew)) {
    throw fail('ERR_CAP_REPLAYED', 'this invocation was used already');
  }
  return { invocation, chain, rootIssuer: chain[0]!.issuer };
}

/** Links: the invocation names this chain; each link is issued by its parent's subject and narrows it. */
function checkChain(chain: Certificate[], invocation: Invocation, opts: VerifyCapabilityOptions) {
  const ids = chain.map((c) => c.id);
  if (invocation.proofs.length !== ids.length || invocation.proofs.some((id, i) => id !== ids[i])) {
    throw fail('ERR_CAP_PROOF_MISMATCH', 'the invocation names other certificates');
  }
  const root = chain[0]!;
  const trusted =
    typeof opts.trustedIssuers === 'function'
      ? opts.trustedIssuers(root.issuer)
      : opts.trustedIssuers.some((key) => sameBytes(key, root.issuer));
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
  if (!sameBytes(invocation.invoker, chain[chain.length - 1]!.subject)) {
    throw fail('ERR_CAP_WRONG_SUBJECT', "the invoker is not the certificate's subject");
  }
}

function profileWithin(
  parent?: Readonly<Record<string, string>>,
  child?: Readonly<Record<string, string>>,
) {
  if (child === undefined) return true;
  return Object.entries(child).every(([k, v]) => parent?.[k] === v);
}

/** The use: this verifier, this resource, this action, this payload — and every link grants it. */
function checkUse(chain: Certificate[], invocation: Invocation, opts: VerifyCapabilityOptions) {
  const { expect } = opts;
  if (invocation.audience !== expect.audience) {
    throw fail('ERR_CAP_AUDIENCE_MISMATCH', 'the invocation is meant for another verifier');
  }
  if (invocation.resource !== expect.resource) {
    throw fail('ERR_CAP_RESOURCE_NOT_COVERED', 'the invocation names another resource');
  }
  if (invocation.action !== expect.action) {
    throw fail('ERR_CAP_ACTION_NOT_GRANTED', 'the invocation names another action');
  }
  if (expect.digest !== undefined) {
    if (invocation.digest === undefined || !sameBytes(invocation.digest, expect.digest)) {
      throw fail('ERR_CAP_DIGEST_MISMATCH', 'the payload is not the one signed');
    }
  }
  for (const certificate of chain)
    assertCovered(certificate.capabilities, expect.resource, expect.action);
}

/** Every link, and the invocation, valid now (±skew): UCAN's "valid at execution time". */
function checkTimes(chain: Certificate[], invocation: Invocation, now: number) {
  const { skew } = CAPABILITY_LIMITS;
  for (const c of [...chain, { notBefore: invocation.issuedAt, expiresAt: invocation.expiresAt }]) {
    if (now + skew < c.notBefore) throw fail('ERR_CAP_NOT_YET_VALID', 'not valid yet');
    if (now - skew >= c.expiresAt) throw fail('ERR_CAP_EXPIRED', 'expired');
  }
}

/** The root issuer's list must be fresh and name no link of the chain. */
function checkRevocations(chain: Certificate[], lists: readonly RevocationList[], now: number) {
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
}
