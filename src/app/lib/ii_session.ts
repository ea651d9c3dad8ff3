import type { JWK } from 'jose';
import { isDiscoError } from '../../protocol/errors/index.js';
import {
  II_SESSION,
  type StoredIiSession,
} from '../../protocol/ic/principal_proof/principal_proof.js';
import type { Store } from '../../protocol/storage/index.js';
import type { AuthorizeSuccess } from './ii_popup.js';

/**
 * The Internet Identity session of this device: the delegation chain from the person's II key
 * to the device's own Ed25519 identity key (docs/decisions.md), verified before it is kept and
 * again each time it is read. The IC agent (`src/protocol/ic`) is imported when first needed, so
 * the app's first paint does not carry it.
 */

/**
 * Where the chain lives in the app's Store (IndexedDB), in agent-js's JSON form; the engine reads
 * it there to release `ic_principal` (src/protocol/ic/principal_proof).
 */
export { II_SESSION };

/** The provider's origin decides the principal, so it is kept and shown with it. */
export type StoredSession = StoredIiSession;

export type Session =
  | {
      readonly state: 'signed-in';
      readonly principal: string;
      readonly provider: string;
      /** The chain's earliest expiration, ms since the epoch. */
      readonly expiresAt: number;
    }
  | { readonly state: 'expired'; readonly principal: string; readonly provider: string };

const ic = () => import('../../protocol/ic/index.js');

/** The device's Ed25519 identity key as DER SubjectPublicKeyInfo: the II session key. */
export async function sessionKeyOf(signingJwk: JWK): Promise<Uint8Array> {
  const { derOf } = await ic();
  const { base64url } = await import('jose');
  if (signingJwk.kty !== 'OKP' || signingJwk.crv !== 'Ed25519' || !signingJwk.x) {
    throw new TypeError('the device signing key is not Ed25519');
  }
  return derOf('ed25519', base64url.decode(signingJwk.x));
}

/**
 * Turns the provider's `authorize-client-success` into a session: the chain is built, verified
 * against the session key and `now` (an Ed25519 root, or a canister signature under the IC root
 * key), then stored. Nothing is stored unless it verified.
 */
export async function acceptDelegation(
  store: Store,
  success: AuthorizeSuccess,
  opts: { sessionKey: Uint8Array; provider: string; now: number },
): Promise<Session> {
  const { DelegationChain, Principal, verifyDelegationChain } = await ic();
  const chain = DelegationChain.fromDelegations(
    success.delegations.map(({ delegation, signature }) => ({
      delegation: {
        pubkey: delegation.pubkey,
        expiration: delegation.expiration,
        ...(delegation.targets
          ? { targets: delegation.targets.map((t) => Principal.fromUint8Array(t)) }
          : {}),
      },
      signature,
    })),
    success.userPublicKey,
  );
  const verified = await verifyDelegationChain(chain, {
    now: opts.now,
    sessionKey: opts.sessionKey,
  });
  const record: StoredSession = { version: 1, provider: opts.provider, chain: chain.toJSON() };
  await store.write([{ op: 'put', ...II_SESSION, value: record }]);
  return {
    state: 'signed-in',
    principal: Principal.selfAuthenticating(success.userPublicKey).toText(),
    provider: opts.provider,
    expiresAt: Number(verified.expiration / 1_000_000n),
  };
}

/**
 * The stored session, verified again (a chain edited in IndexedDB is refused with its
 * `ERR_IC_*` code); an expired one comes back as `expired` so the page can offer to renew.
 */
export async function loadSession(
  store: Store,
  opts: { sessionKey: Uint8Array; now: number },
): Promise<Session | undefined> {
  const record = await store.get<StoredSession>(II_SESSION.collection, II_SESSION.key);
  if (!record) return undefined;
  const { DelegationChain, Principal, verifyDelegationChain } = await ic();
  const chain = DelegationChain.fromJSON(record.chain);
  const principal = Principal.selfAuthenticating(chain.publicKey).toText();
  try {
    const verified = await verifyDelegationChain(chain, opts);
    return {
      state: 'signed-in',
      principal,
      provider: record.provider,
      expiresAt: Number(verified.expiration / 1_000_000n),
    };
  } catch (err) {
    if (isDiscoError(err, 'ERR_IC_DELEGATION_EXPIRED')) {
      return { state: 'expired', principal, provider: record.provider };
    }
    throw err;
  }
}

/** Forgets the chain. The device key stays: it is the device's, not the session's. */
export async function signOut(store: Store): Promise<void> {
  await store.write([{ op: 'delete', ...II_SESSION }]);
}
