import { DiscoError } from '../../errors/index.js';
import type { DelegationChainJson } from '../delegation/index.js';
import { withSeparator } from '../domain_separators.js';
import { hashOfMap } from '../hash/index.js';
import type { Principal } from '../principal/index.js';

/**
 * The principal proof (docs/ic.md, "The principal, released to a company"): what a device
 * releases for the field `ic_principal`. A relying party asks for it like any other field, with a
 * fresh challenge of its own in the data request; the device answers with its Internet Identity
 * delegation chain (root: the person's II key, last link: the device's Ed25519 identity key) and a
 * signature by that device key over the challenge, the company's client id and the principal.
 * The chain proves the principal delegated to the device key; the signature proves the device
 * holds that key now, for this company and this challenge.
 */

/** The scope token a relying party asks for. */
export const IC_PRINCIPAL_FIELD = 'ic_principal';

/** The released value, as JSON. Blobs and nats of the chain are hex, as agent-js writes them. */
export interface PrincipalProof {
  v: 1;
  /** The principal, textual (interface spec §Textual representation of principals). */
  principal: string;
  /** The identity provider's origin the person signed in with (the principal is per provider). */
  provider: string;
  /** The company the proof was made for. */
  client_id: string;
  /** The company's challenge, as it sent it. */
  challenge: string;
  /** From the principal's key to the device key (agent-js's `DelegationChain.toJSON` form). */
  delegation_chain: DelegationChainJson;
  /** The chain's last key over {@link principalProofMessage}, hex. */
  signature: string;
}

/** Where the device app keeps its Internet Identity session in its Store (IndexedDB). */
export const II_SESSION = { collection: 'internet_identity', key: 'session' } as const;

/** The stored session: the chain verified at sign-in, and the provider it came from. */
export interface StoredIiSession {
  version: 1;
  provider: string;
  chain: DelegationChainJson;
}

/** A challenge: 16 to 128 base64url characters (at least 96 bits when random). */
export const CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * `\x1Cdisco-ic-principal-proof-v1`: a separator in the IC's style (length byte, then the name),
 * so a proof signature can never be taken for a request, a delegation or another Disco signature.
 */
export const DISCO_IC_PRINCIPAL_PROOF = (() => {
  const name = new TextEncoder().encode('disco-ic-principal-proof-v1');
  return new Uint8Array([name.length, ...name]);
})();

/**
 * The signed message: separator · hash_of_map({challenge, client_id, principal, provider})
 * (interface spec §Representation-independent hashing), so no field can slide into another.
 */
export function principalProofMessage(p: {
  principal: Principal;
  provider: string;
  clientId: string;
  challenge: string;
}): Uint8Array {
  return withSeparator(
    DISCO_IC_PRINCIPAL_PROOF,
    hashOfMap({
      challenge: p.challenge,
      client_id: p.clientId,
      principal: p.principal.toUint8Array(),
      provider: p.provider,
    }),
  );
}

/** A challenge as the device and the SDK accept it, or `ERR_IC_PROOF_MALFORMED`. */
export function checkChallenge(challenge: unknown): string {
  if (typeof challenge !== 'string' || !CHALLENGE_PATTERN.test(challenge)) {
    throw new DiscoError(
      'ERR_IC_PROOF_MALFORMED',
      'The challenge must be 16 to 128 base64url characters.',
    );
  }
  return challenge;
}
