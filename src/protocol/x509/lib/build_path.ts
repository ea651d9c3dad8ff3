import { DiscoError, isDiscoError } from '../../errors/index.js';
import type { ParsedCertificate } from '../types.js';
import {
  checkCriticalExtensions,
  checkIsCa,
  checkSignedBy,
  checkValidity,
  isSelfIssued,
  label,
} from './checks.js';
import { EMPTY_NAME_KEY, nameKey } from './summarize.js';

/** Hard bounds on the search, whatever the caller asks: certificates in a path, signatures checked. */
export const MAX_PATH_CERTIFICATES = 10;
export const MAX_SIGNATURE_CHECKS = 32;

export interface PathSearch {
  readonly anchors: readonly ParsedCertificate[];
  readonly intermediates: readonly ParsedCertificate[];
  readonly nowMs: number;
  readonly skewMs: number;
  /** Most intermediates in the path, not counting self-issued ones (as §4.2.1.9 counts). */
  readonly maxIntermediates: number;
}

interface State extends PathSearch {
  signatureChecks: number;
  /** The failure that got furthest from the leaf: the most useful one to report. */
  best: { readonly length: number; readonly error: DiscoError } | null;
}

/** Intermediates strictly between the leaf (index 0) and `path[end]` that are not self-issued. */
function countedIntermediates(path: readonly ParsedCertificate[], end: number): number {
  return path.slice(1, end).filter((cert) => !isSelfIssued(cert)).length;
}

/**
 * Checks that `issuer` may issue `child` at the top of `path` (RFC 5280 §6.1.3 and §6.1.4): the
 * signature first (a candidate whose key does not verify is not the issuer at all), then the CA
 * rules, its critical extensions, its validity window and its pathLenConstraint.
 */
async function checkIssuer(state: State, path: readonly ParsedCertificate[]): Promise<void> {
  const issuer = path[path.length - 1]!;
  const child = path[path.length - 2]!;
  state.signatureChecks += 1;
  await checkSignedBy(child, issuer);
  checkIsCa(issuer);
  checkCriticalExtensions(issuer);
  checkValidity(issuer, state.nowMs, state.skewMs);
  const pathLength = issuer.basicConstraints?.pathLength ?? null;
  if (pathLength !== null && countedIntermediates(path, path.length - 1) > pathLength) {
    throw new DiscoError(
      'ERR_CERT_BASIC_CONSTRAINTS',
      `the path is longer than "${label(issuer)}" allows (pathLenConstraint ${pathLength})`,
    );
  }
}

async function extend(
  state: State,
  path: readonly ParsedCertificate[],
): Promise<ParsedCertificate[] | null> {
  const wanted = nameKey(path[path.length - 1]!.certificate.issuerName);
  if (wanted === EMPTY_NAME_KEY) return null; // RFC 5280 §4.1.2.4: the issuer name is never empty
  const candidates = [
    ...state.anchors.map((cert) => ({ cert, anchor: true })),
    ...state.intermediates.map((cert) => ({ cert, anchor: false })),
  ];
  for (const { cert, anchor } of candidates) {
    if (nameKey(cert.certificate.subjectName) !== wanted) continue;
    if (path.some((seen) => seen.thumbprint === cert.thumbprint)) continue; // no loops
    if (state.signatureChecks >= MAX_SIGNATURE_CHECKS) {
      throw new DiscoError('ERR_CERT_UNTRUSTED', 'gave up searching for a certification path');
    }
    const next = [...path, cert];
    try {
      await checkIssuer(state, next);
      if (
        !anchor &&
        (next.length >= MAX_PATH_CERTIFICATES ||
          countedIntermediates(next, next.length) > state.maxIntermediates)
      ) {
        throw new DiscoError('ERR_CERT_UNTRUSTED', 'the certification path is too long');
      }
    } catch (err) {
      if (!isDiscoError(err)) throw err;
      if (!state.best || next.length > state.best.length)
        state.best = { length: next.length, error: err };
      continue;
    }
    if (anchor) return next;
    const found = await extend(state, next);
    if (found) return found;
  }
  return null;
}

/**
 * Finds a certification path from `leaf` to one of the anchors through the given intermediates
 * (RFC 5280 §6.1, path building in the spirit of RFC 4158: depth first, anchors tried before
 * intermediates at each step, so the shortest path wins). Returns it leaf first, anchor last.
 * The anchor certificate is checked like any issuer (CA, validity, critical extensions) but its
 * own signature is not: it is trusted as configured (§6.1.1 (d)).
 *
 * When no path exists, throws the failure that got furthest, or ERR_CERT_UNTRUSTED.
 */
export async function buildPath(
  leaf: ParsedCertificate,
  search: PathSearch,
): Promise<ParsedCertificate[]> {
  const state: State = { ...search, signatureChecks: 0, best: null };
  const path = await extend(state, [leaf]);
  if (path) return path;
  throw (
    state.best?.error ??
    new DiscoError('ERR_CERT_UNTRUSTED', 'the certificate does not chain to a trusted anchor')
  );
}
