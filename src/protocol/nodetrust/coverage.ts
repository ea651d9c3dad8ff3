import { DiscoError } from '../errors/index.js';
import { fullName } from './names.js';
import type { PeerId } from './peer_id.js';
import { verifyProof, type ProofClaims, type VerifyProofOptions } from './proof.js';

/**
 * Verifies every proof of a request and that each names `peer`, the peer that signed the request
 * (ERR_NODETRUST_PROOF_PEER: a proof replayed by another peer). None at all is
 * ERR_NODETRUST_NO_PROOFS; any bad one fails the whole request (seed: "verifies every proof,
 * throws if there are none or any is invalid").
 */
export async function verifyProofsFor(
  peer: PeerId,
  tokens: readonly string[],
  options: VerifyProofOptions,
): Promise<ProofClaims[]> {
  if (tokens.length === 0) throw new DiscoError('ERR_NODETRUST_NO_PROOFS', 'no proofs');
  const proofs: ProofClaims[] = [];
  for (const token of tokens) {
    const proof = await verifyProof(token, options);
    if (proof.peer.text !== peer.text) {
      throw new DiscoError('ERR_NODETRUST_PROOF_PEER', 'a proof names another peer');
    }
    proofs.push(proof);
  }
  return proofs;
}

/**
 * The names proofs entitle `peer` to under `zone`: its own p-name, and the ip4/ip6 name of every
 * address a proof server saw it connect from.
 */
export function coveredNames(
  peer: PeerId,
  proofs: readonly ProofClaims[],
  zone: string,
): Set<string> {
  const names = new Set([fullName({ kind: 'peer', peer }, zone)]);
  for (const proof of proofs) {
    for (const address of proof.addresses) {
      names.add(fullName({ kind: address.includes(':') ? 'ip6' : 'ip4', address }, zone));
    }
  }
  return names;
}

/** Refuses (ERR_NODETRUST_NAME_NOT_COVERED) any requested name outside `covered`. */
export function checkCoverage(requested: readonly string[], covered: ReadonlySet<string>): void {
  const outside = requested.filter((name) => !covered.has(name));
  if (outside.length > 0) {
    throw new DiscoError(
      'ERR_NODETRUST_NAME_NOT_COVERED',
      `not covered by the proofs: ${outside.join(', ')}`,
    );
  }
}
