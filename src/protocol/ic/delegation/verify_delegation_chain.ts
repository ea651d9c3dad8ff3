import { DiscoError } from '../../errors/index.js';
import type { BlsVerifier } from '../certificate/index.js';
import {
  isCanisterSignatureKey,
  parseCanisterSignaturePublicKey,
} from '../canister_signature/index.js';
import type { SignatureVerifier } from '../keys/index.js';
import { Principal } from '../principal/index.js';
import { verifyIcSignature } from '../verify_ic_signature.js';
import type { DelegationChain } from './delegation_chain.js';
import { delegationPayload } from './sign_delegation.js';

export interface VerifyDelegationChainOptions {
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** The key that will sign requests: it must be the last link's key. */
  readonly sessionKey?: Uint8Array;
  /**
   * The canister whose canister signature must be the root (Internet Identity's, say): the root
   * key must be that canister's canister-signature key.
   */
  readonly rootCanisterId?: Principal;
  /** A canister the chain must allow (checked against the intersected targets). */
  readonly target?: Principal;
  /** DER BLS root of trust for a canister-signature root; the IC mainnet root key by default. */
  readonly rootKey?: Uint8Array;
  readonly verifier?: SignatureVerifier;
  readonly blsVerify?: BlsVerifier;
}

export interface VerifiedDelegationChain {
  /** The sender: the self-authenticating principal of the chain's root key. */
  readonly principal: Principal;
  /** The last link's key, which signs requests. */
  readonly sessionKey: Uint8Array;
  /** The earliest expiration in the chain, nanoseconds. */
  readonly expiration: bigint;
  /** The intersection of all links' targets; undefined when no link restricts them. */
  readonly targets?: readonly Principal[];
}

const MAX_LINKS = 20;
const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * Verifies a delegation chain as the IC does (interface spec §Authentication and
 * `verify_envelope`): 1 to 20 links; each link signed by the previous key (the first by the
 * root, which may be Ed25519, ECDSA or a canister signature); every expiration ≥ now; no key
 * twice; targets intersected; the last key equal to `sessionKey` when given.
 */
export async function verifyDelegationChain(
  chain: DelegationChain,
  options: VerifyDelegationChainOptions,
): Promise<VerifiedDelegationChain> {
  const links = chain.delegations;
  if (links.length === 0) {
    throw new DiscoError('ERR_IC_DELEGATION_MALFORMED', 'delegation chain: no links');
  }
  if (links.length > MAX_LINKS) {
    throw new DiscoError('ERR_IC_DELEGATION_TOO_LONG', 'delegation chain: more than 20 links');
  }
  if (options.rootCanisterId) {
    const root = isCanisterSignatureKey(chain.publicKey)
      ? parseCanisterSignaturePublicKey(chain.publicKey)
      : undefined;
    if (!root?.canisterId.equals(options.rootCanisterId)) {
      throw new DiscoError(
        'ERR_IC_DELEGATION_SIGNER_MISMATCH',
        'delegation chain: the root is not the expected canister',
      );
    }
  }
  const nowNs = BigInt(Math.floor(options.now)) * 1_000_000n;
  const seen = new Set([hex(chain.publicKey)]);
  let targets: Principal[] | undefined;
  let expiration: bigint | undefined;

  // The cheap checks for every link first, so a bad chain costs no signature check.
  for (const { delegation } of links) {
    if (delegation.expiration < nowNs) {
      throw new DiscoError('ERR_IC_DELEGATION_EXPIRED', 'delegation chain: a link has expired');
    }
    const key = hex(delegation.pubkey);
    if (seen.has(key)) {
      throw new DiscoError('ERR_IC_DELEGATION_KEY_REPEATED', 'delegation chain: a key repeats');
    }
    seen.add(key);
    if (delegation.targets) {
      if (delegation.targets.length > 1000) {
        throw new DiscoError('ERR_IC_DELEGATION_MALFORMED', 'delegation chain: over 1000 targets');
      }
      const allowed = delegation.targets;
      targets = (targets ?? [...allowed]).filter((t) => allowed.some((a) => a.equals(t)));
    }
    expiration =
      expiration === undefined || delegation.expiration < expiration
        ? delegation.expiration
        : expiration;
  }
  const sessionKey = links[links.length - 1]!.delegation.pubkey;
  if (options.sessionKey && hex(options.sessionKey) !== hex(sessionKey)) {
    throw new DiscoError(
      'ERR_IC_DELEGATION_SIGNER_MISMATCH',
      'delegation chain: the last key is not the signer',
    );
  }
  if (options.target && targets && !targets.some((t) => t.equals(options.target!))) {
    throw new DiscoError('ERR_IC_DELEGATION_TARGET', 'delegation chain: target not allowed');
  }

  let signer = chain.publicKey;
  for (const { delegation, signature } of links) {
    await verifyIcSignature(signer, delegationPayload(delegation), signature, {
      now: options.now,
      ...(options.rootKey ? { rootKey: options.rootKey } : {}),
      ...(options.verifier ? { verifier: options.verifier } : {}),
      ...(options.blsVerify ? { blsVerify: options.blsVerify } : {}),
    });
    signer = delegation.pubkey;
  }

  return {
    principal: Principal.selfAuthenticating(chain.publicKey),
    sessionKey: Uint8Array.from(sessionKey),
    expiration: expiration!,
    ...(targets ? { targets } : {}),
  };
}
