import type { DelegationChain, IcSigner } from '../delegation/index.js';
import { Principal } from '../principal/index.js';

/**
 * Who sends a request (interface spec §Authentication): the anonymous principal with no key, a
 * key's self-authenticating principal, or a delegation chain's root principal with the session
 * key signing.
 */
export interface IcIdentity {
  readonly sender: Principal;
  /** `sender_pubkey`: the key whose self-authenticating id is `sender`. */
  readonly publicKeyDer?: Uint8Array;
  /** `sender_delegation`, from `publicKeyDer` to the key that signs. */
  readonly delegation?: DelegationChain;
  /** Signs with the key of the last delegation, or with `publicKeyDer`'s key when none. */
  sign?(payload: Uint8Array): Promise<Uint8Array>;
}

/** The anonymous sender 0x04: its requests carry no key and no signature (§Authentication). */
export function anonymousIdentity(): IcIdentity {
  return { sender: Principal.anonymous() };
}

/** An identity that signs requests itself. */
export function signerIdentity(signer: IcSigner): IcIdentity {
  return {
    sender: Principal.selfAuthenticating(signer.publicKeyDer),
    publicKeyDer: signer.publicKeyDer,
    sign: (payload) => signer.sign(payload),
  };
}

/**
 * An identity acting for a chain's root principal (an Internet Identity user, say) with the
 * session key at the end of the chain. The caller verifies the chain first
 * (`verifyDelegationChain` with `sessionKey: session.publicKeyDer`).
 */
export function delegationIdentity(chain: DelegationChain, session: IcSigner): IcIdentity {
  return {
    sender: Principal.selfAuthenticating(chain.publicKey),
    publicKeyDer: chain.publicKey,
    delegation: chain,
    sign: (payload) => session.sign(payload),
  };
}
