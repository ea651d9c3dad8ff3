import { sameBytes } from './cbor.js';
import type { Action } from './capabilities.js';
import type { Certificate } from './certificate.js';
import type { Invocation } from './invocation.js';
import { CAPABILITY_LIMITS, secondsOf } from './limits.js';
import { parseInvocation } from './parse_invocation.js';
import type { RevocationList } from './revocation_list.js';
import {
  checkCovered,
  checkLinks,
  checkRevocations,
  checkTimes,
  fail,
  parseChain,
  type TrustedIssuers,
} from './verify_certificate.js';

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
  readonly trustedIssuers: TrustedIssuers;
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

/**
 * Verifies one use of a capability (docs/wire/certificates.md "Verification", UCAN 1.0
 * delegation and invocation validation): the chain as `verifyCertificate` checks it, and the
 * invocation signed by its subject for exactly this use. Every rule must pass, or a DiscoError
 * says which failed; nothing is allowed by default. The invocation is remembered only after
 * everything else passed.
 */
export async function verifyCapability(opts: VerifyCapabilityOptions): Promise<VerifiedCapability> {
  const encoded = opts.certificate instanceof Uint8Array ? [opts.certificate] : opts.certificate;
  if (encoded.length > CAPABILITY_LIMITS.maxChainLength) {
    throw fail('ERR_CAP_CHAIN_TOO_LONG', 'more than 5 certificates');
  }
  const invocation = await parseInvocation(opts.invocation);
  const chain = await parseChain(encoded);

  const ids = chain.map((c) => c.id);
  if (invocation.proofs.length !== ids.length || invocation.proofs.some((id, i) => id !== ids[i])) {
    throw fail('ERR_CAP_PROOF_MISMATCH', 'the invocation names other certificates');
  }
  checkLinks(chain, opts.trustedIssuers);
  if (!sameBytes(invocation.invoker, chain[chain.length - 1]!.subject)) {
    throw fail('ERR_CAP_WRONG_SUBJECT', "the invoker is not the certificate's subject");
  }
  checkUse(invocation, opts.expect);
  checkCovered(chain, opts.expect.resource, opts.expect.action);
  const now = secondsOf(opts.now);
  checkTimes([...chain, { notBefore: invocation.issuedAt, expiresAt: invocation.expiresAt }], now);
  checkRevocations(chain, opts.revocations, now);
  if (!opts.remember(invocation.id, invocation.expiresAt + CAPABILITY_LIMITS.skew)) {
    throw fail('ERR_CAP_REPLAYED', 'this invocation was used already');
  }
  return { invocation, chain, rootIssuer: chain[0]!.issuer };
}

/** The use: this verifier, this resource, this action, this payload. */
function checkUse(invocation: Invocation, expect: VerifyCapabilityOptions['expect']) {
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
}
