import { DiscoError } from '../errors/index.js';
import { buildPath, MAX_PATH_CERTIFICATES } from './lib/build_path.js';
import { checkLeaf } from './lib/check_leaf.js';
import {
  checkCriticalExtensions,
  checkSignedBy,
  checkValidity,
  isSelfIssued,
} from './lib/checks.js';
import { OID } from './lib/names.js';
import type { KeyPurpose, ParsedCertificate } from './types.js';

/** Clock skew we tolerate at most, whatever the caller asks. */
export const MAX_SKEW_SECONDS = 300;
/** Intermediates a client may send; more is refused before any work. */
export const MAX_INTERMEDIATES_GIVEN = 16;

export interface ValidateCertificateOptions {
  /** The time to validate at (a Date or milliseconds since the epoch). Never read from a clock here. */
  readonly now: Date | number;
  /** CA certificates the device trusts for client certificates (RFC 5280 §6.1.1 (d)). */
  readonly anchors: readonly ParsedCertificate[];
  /** `x5t#S256` thumbprints of self-signed certificates a person approved. */
  readonly pins?: readonly string[];
  /** Untrusted certificates that may complete the path, in any order. */
  readonly intermediates?: readonly ParsedCertificate[];
  /** Tolerated clock skew in seconds, 0 to MAX_SKEW_SECONDS (default 0). */
  readonly maxSkewSeconds?: number;
  /** What the device will do with the key; every purpose given must be allowed. */
  readonly purpose: KeyPurpose | readonly KeyPurpose[];
  /** Key purpose OIDs of which the leaf's extendedKeyUsage, when present, must contain one. Default: id-kp-clientAuth. */
  readonly extendedKeyUsage?: readonly string[];
  /** Most intermediates in the path, self-issued ones not counted (default 4, at most 8). */
  readonly maxIntermediates?: number;
}

export interface ValidatedCertificate {
  readonly leaf: ParsedCertificate;
  /** `pinned`: a person-approved self-signed certificate; `anchor`: a path to a trust anchor. */
  readonly trust: 'pinned' | 'anchor';
  /** Leaf first; ends with the anchor, or is just the leaf when pinned. */
  readonly path: readonly ParsedCertificate[];
}

function checkedNumber(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/**
 * Validates a client certificate for the given purpose at time `now` (RFC 5280 §6.1, with the
 * checks of DESIGN.md "client certificates"):
 *
 * 1. the leaf: validity window with bounded skew (§4.1.2.5), no unknown critical extension
 *    (§4.2), not a CA, key usage / extended key usage / key type fit `purpose` (see `checkLeaf`);
 * 2. trust, one of:
 *    - pinned: the leaf's thumbprint is in `pins` and it is self-issued; its self-signature must
 *      still verify;
 *    - a path to one of `anchors` through `intermediates`, each signature verifying, each issuer a
 *      CA within its validity window and pathLenConstraint (§4.2.1.9), the path bounded.
 *
 * Errors: ERR_CERT_EXPIRED, ERR_CERT_NOT_YET_VALID, ERR_CERT_KEY_USAGE, ERR_CERT_KEY_UNSUPPORTED,
 * ERR_CERT_BASIC_CONSTRAINTS, ERR_CERT_SIGNATURE_INVALID, ERR_CERT_UNTRUSTED. Revocation is not
 * checked: pins and anchors are managed by the person.
 */
export async function validateCertificate(
  leaf: ParsedCertificate,
  options: ValidateCertificateOptions,
): Promise<ValidatedCertificate> {
  const nowMs = options.now instanceof Date ? options.now.getTime() : options.now;
  if (!Number.isFinite(nowMs)) throw new RangeError('now must be a valid time');
  const skewMs =
    checkedNumber(options.maxSkewSeconds ?? 0, 0, MAX_SKEW_SECONDS, 'maxSkewSeconds') * 1000;
  const maxIntermediates = checkedNumber(
    options.maxIntermediates ?? 4,
    0,
    MAX_PATH_CERTIFICATES - 2,
    'maxIntermediates',
  );
  const purposes: readonly KeyPurpose[] =
    typeof options.purpose === 'string' ? [options.purpose] : options.purpose;
  if (purposes.length === 0) throw new RangeError('purpose must name at least one use of the key');
  const intermediates = options.intermediates ?? [];
  if (intermediates.length > MAX_INTERMEDIATES_GIVEN) {
    throw new DiscoError(
      'ERR_CERT_UNTRUSTED',
      `more than ${MAX_INTERMEDIATES_GIVEN} intermediate certificates`,
    );
  }

  checkValidity(leaf, nowMs, skewMs);
  checkCriticalExtensions(leaf);
  checkLeaf(leaf, purposes, options.extendedKeyUsage ?? [OID.clientAuth]);

  if (options.pins?.includes(leaf.thumbprint) && isSelfIssued(leaf)) {
    await checkSignedBy(leaf, leaf);
    return { leaf, trust: 'pinned', path: [leaf] };
  }
  const path = await buildPath(leaf, {
    anchors: options.anchors,
    intermediates,
    nowMs,
    skewMs,
    maxIntermediates,
  });
  return { leaf, trust: 'anchor', path };
}
