import { IC_REQUEST_AUTH_DELEGATION, withSeparator } from '../domain_separators.js';
import { hashOfMap } from '../hash/index.js';
import { DelegationChain, type Delegation } from './delegation_chain.js';

/** Something that signs IC payloads: its DER public key and a signing function. */
export interface IcSigner {
  readonly publicKeyDer: Uint8Array;
  sign(payload: Uint8Array): Promise<Uint8Array>;
}

/**
 * The payload a delegation's signature covers: `\x1Aic-request-auth-delegation ·
 * hash_of_map(delegation)` (interface spec §Authentication).
 */
export function delegationPayload(delegation: Delegation): Uint8Array {
  return withSeparator(
    IC_REQUEST_AUTH_DELEGATION,
    hashOfMap({
      pubkey: delegation.pubkey,
      expiration: delegation.expiration,
      targets: delegation.targets,
    }),
  );
}

/**
 * Appends a link signed by `signer` to `previous` (whose last key must be the signer's), or
 * starts a chain rooted at the signer's key.
 */
export async function createDelegation(
  signer: IcSigner,
  delegation: Delegation,
  previous?: DelegationChain,
): Promise<DelegationChain> {
  const signature = await signer.sign(delegationPayload(delegation));
  const link = { delegation, signature };
  return previous
    ? DelegationChain.fromDelegations([...previous.delegations, link], previous.publicKey)
    : DelegationChain.fromDelegations([link], signer.publicKeyDer);
}
