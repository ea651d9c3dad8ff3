import { DiscoError, isDiscoError } from '../../errors/index.js';
import type { Store } from '../../storage/store.js';
import { DelegationChain, verifyDelegationChain } from '../delegation/index.js';
import { derOf } from '../keys/index.js';
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

/**
 * The device's side of `ic_principal` (docs/ic.md): the stored Internet Identity chain, checked
 * again (not expired, ending at this device's key), and the device key's signature over the
 * company's challenge. `undefined` when the person is not signed in or the session expired: the
 * field is then released as missing, like an empty vault field.
 */
export async function releasePrincipalProof(
  input: ReleasePrincipalProofInput,
): Promise<PrincipalProof | undefined> {
  const challenge = checkChallenge(input.challenge);
  const stored = await input.store.get<StoredIiSession>(II_SESSION.collection, II_SESSION.key);
  if (!stored) return undefined;
  const chain = DelegationChain.fromJSON(stored.chain);
  let principal;
  try {
    ({ principal } = await verifyDelegationChain(chain, {
      now: input.now,
      sessionKey: derOf('ed25519', input.devicePublicKey),
    }));
  } catch (err) {
    if (isDiscoError(err, 'ERR_IC_DELEGATION_EXPIRED')) return undefined;
    throw err;
  }
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
