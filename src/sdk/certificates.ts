// Issue #8's verifier, in the SDK (Node and browser): a service that receives objects signed on a
// person's behalf checks them with these, as the notes demo's server does.
import {
  verifyCapability,
  type VerifiedCapability,
  type VerifyCapabilityOptions,
} from '../protocol/certificates/index.js';

export {
  createInvocation,
  createRequest,
  matchResource,
  parseCertificate,
  parseRevocationList,
  verifyCertificate,
  type Certificate,
  type Invocation,
  type RevocationList,
  type TrustedIssuers,
  type VerifiedCapability,
  type VerifiedCertificate,
  type VerifyCapabilityOptions,
  type VerifyCertificateOptions,
} from '../protocol/certificates/index.js';

/** Everything `verifySignedObject` needs besides the object: the chain and what is about to happen. */
export type VerifySignedObjectOptions = Omit<VerifyCapabilityOptions, 'invocation'>;

/**
 * Verifies an object sent on the person's behalf (docs/wire/certificates.md "Invocation" and
 * "Verification"): `object` is the invocation the app signed with its own key (the certificate's
 * subject), naming the chain it relies on, the verifier, the resource, the action and the
 * payload's digest. The chain is checked as `verifyCertificate` checks it. A `DiscoError` names
 * the rule that failed; the object's id is remembered only when all passed, so a replay fails.
 */
export function verifySignedObject(
  object: Uint8Array,
  options: VerifySignedObjectOptions,
): Promise<VerifiedCapability> {
  return verifyCapability({ ...options, invocation: object });
}
