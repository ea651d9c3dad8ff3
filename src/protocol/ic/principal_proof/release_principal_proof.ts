import { DiscoError } from '../../errors/index.js';
import type { Store } from '../../storage/store.js';
import { DelegationChain } from '../delegation/delegation_chain.js';
import { derOf } from '../keys/der.js';
import { Principal } from '../principal/index.js';
import {
  II_SESSION,
  checkChallenge,
  principalProofMessage,
  type PrincipalProof,
  type StoredIiSession,
} from './principal_proof.js';

export interface ReleasePrincipalProofInput {
  store: Store;
  /** The device's Ed25519 identity public key, raw (32 bytes): the chain's session key. */
  devicePublicKey: Uint8Array;
  /** Signs with the device's Ed25519 identity key (WebCrypto, non-extractable). */
  sign: (message: Uint8Array) => Promise<Uint8Array>;
  clientId: string;
  challenge: string;
  /** Milliseconds since the epoch. */
  now: number;
}

const toHex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

const sameBytes = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The device's side of `ic_principal` (docs/ic.md): the stored Internet Identity chain and the
 * device key's signature over the company's challenge. `undefined` when the person is not signed
 * in or a link has expired: the field is then released as missing, like an empty vault field.
 *
 * The chain's signatures are not checked again here: the app verified it before storing it
 * (`acceptDelegation`), the Store is the device's own, as the vault fields are, and the company
 * verifies everything (`verifyPrincipalProof`). Checking them here would put BLS (a canister
 * signature root) and every curve into the service worker for nothing. What is checked is what
 * the device must not sign for: a chain for another key (`ERR_IC_DELEGATION_SIGNER_MISMATCH`) or
 * an expired one.
 */
export async function releasePrincipalProof(
  input: ReleasePrincipalProofInput,
): Promise<PrincipalProof | undefined> {
  const challenge = checkChallenge(input.challenge);
  const stored = await input.store.get<StoredIiSession>(II_SESSION.collection, II_SESSION.key);
  if (!stored) return undefined;
  const chain = DelegationChain.fromJSON(stored.chain);
  const last = chain.delegations.at(-1);
  if (!last) throw new DiscoError('ERR_IC_DELEGATION_MALFORMED', 'delegation chain: no links');
  if (!sameBytes(last.delegation.pubkey, derOf('ed25519', input.devicePublicKey))) {
    throw new DiscoError(
      'ERR_IC_DELEGATION_SIGNER_MISMATCH',
      'the stored chain does not end at this device’s key',
    );
  }
  const nowNs = BigInt(Math.floor(input.now)) * 1_000_000n;
  if (chain.delegations.some(({ delegation }) => delegation.expiration < nowNs)) return undefined;
  const principal = Principal.selfAuthenticating(chain.publicKey);
  const signature = await input.sign(
    principalProofMessage({
      principal,
      provider: stored.provider,
      clientId: input.clientId,
      challenge,
    }),
  );
  if (signature.length !== 64) {
    throw new DiscoError('ERR_IC_SIGNATURE_INVALID', 'the device key did not sign with Ed25519');
  }
  return {
    v: 1,
    principal: principal.toText(),
    provider: stored.provider,
    client_id: input.clientId,
    challenge,
    delegation_chain: chain.toJSON(),
    signature: toHex(signature),
  };
}
