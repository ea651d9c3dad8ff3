import { ed25519 } from '@noble/curves/ed25519.js';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  createDelegation,
  derOf,
  Principal,
  type DelegationChain,
  type IcSigner,
} from '../../protocol/ic/index.js';
import { MemoryStore } from '../../protocol/storage/index.js';
import type { AuthorizeSuccess } from './ii_popup.js';
import {
  acceptDelegation,
  II_SESSION,
  loadSession,
  sessionKeyOf,
  signOut,
  type StoredSession,
} from './ii_session.js';

const NOW = 1_780_000_000_000;
const HOUR_NS = 3_600_000_000_000n;
const PROVIDER = 'http://127.0.0.1:9999';

/** An Ed25519 root like the test identity provider's (a real II root is a canister signature). */
function root(seed: number): IcSigner {
  const secret = new Uint8Array(32).fill(seed);
  return {
    publicKeyDer: derOf('ed25519', ed25519.getPublicKey(secret)),
    sign: (payload) => Promise.resolve(ed25519.sign(payload, secret)),
  };
}

async function deviceKey(): Promise<Uint8Array> {
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
  return sessionKeyOf(await crypto.subtle.exportKey('jwk', pair.publicKey));
}

function asSuccess(chain: DelegationChain): AuthorizeSuccess {
  return {
    kind: 'authorize-client-success',
    userPublicKey: chain.publicKey,
    delegations: chain.delegations.map(({ delegation, signature }) => ({
      delegation: {
        pubkey: delegation.pubkey,
        expiration: delegation.expiration,
        ...(delegation.targets ? { targets: delegation.targets.map((t) => t.toUint8Array()) } : {}),
      },
      signature,
    })),
  };
}

async function signedFor(sessionKey: Uint8Array, expiration = BigInt(NOW) * 1_000_000n + HOUR_NS) {
  return createDelegation(root(1), { pubkey: sessionKey, expiration });
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (e: { code?: string }) => e.code,
  );
}

describe('sessionKeyOf', () => {
  it("is the DER SubjectPublicKeyInfo of the device's Ed25519 key", async () => {
    const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
    const jwk = (await crypto.subtle.exportKey('jwk', pair.publicKey)) as JWK;
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
    expect(await sessionKeyOf(jwk)).toEqual(spki);
    await expect(sessionKeyOf({ kty: 'OKP', crv: 'X25519', x: jwk.x! })).rejects.toThrow();
  });
});

describe('acceptDelegation and loadSession', () => {
  it('verifies, stores in agent-js JSON form, and reads back the same principal and expiry', async () => {
    const store = new MemoryStore();
    const sessionKey = await deviceKey();
    const chain = await signedFor(sessionKey);
    const session = await acceptDelegation(store, asSuccess(chain), {
      sessionKey,
      provider: PROVIDER,
      now: NOW,
    });
    const principal = Principal.selfAuthenticating(root(1).publicKeyDer).toText();
    expect(session).toEqual({
      state: 'signed-in',
      principal,
      provider: PROVIDER,
      expiresAt: NOW + 3_600_000,
    });
    const stored = await store.get<StoredSession>(II_SESSION.collection, II_SESSION.key);
    expect(stored?.chain).toEqual(chain.toJSON());
    expect(stored?.chain.publicKey).toMatch(/^302a300506032b6570032100[0-9a-f]{64}$/);
    expect(await loadSession(store, { sessionKey, now: NOW + 1000 })).toEqual(session);
  });

  it('keeps targets when the provider scopes the delegation', async () => {
    const store = new MemoryStore();
    const sessionKey = await deviceKey();
    const target = Principal.fromText('rdmx6-jaaaa-aaaaa-aaadq-cai');
    const chain = await createDelegation(root(1), {
      pubkey: sessionKey,
      expiration: BigInt(NOW) * 1_000_000n + HOUR_NS,
      targets: [target],
    });
    await acceptDelegation(store, asSuccess(chain), { sessionKey, provider: PROVIDER, now: NOW });
    const stored = await store.get<StoredSession>(II_SESSION.collection, II_SESSION.key);
    expect(stored?.chain.delegations[0]?.delegation.targets).toEqual([
      Array.from(target.toUint8Array(), (b) => b.toString(16).padStart(2, '0')).join(''),
    ]);
  });

  it('refuses, and stores nothing for, a chain to another key', async () => {
    const store = new MemoryStore();
    const sessionKey = await deviceKey();
    const chain = await signedFor(await deviceKey());
    const opts = { sessionKey, provider: PROVIDER, now: NOW };
    expect(await codeOf(acceptDelegation(store, asSuccess(chain), opts))).toBe(
      'ERR_IC_DELEGATION_SIGNER_MISMATCH',
    );
    expect(await store.listAll()).toEqual([]);
  });

  it('refuses a tampered signature, a tampered expiry and an expired chain', async () => {
    const store = new MemoryStore();
    const sessionKey = await deviceKey();
    const opts = { sessionKey, provider: PROVIDER, now: NOW };
    const good = asSuccess(await signedFor(sessionKey));
    const link = good.delegations[0]!;
    const flipped = Uint8Array.from(link.signature);
    flipped[10]! ^= 1;
    expect(
      await codeOf(
        acceptDelegation(store, { ...good, delegations: [{ ...link, signature: flipped }] }, opts),
      ),
    ).toBe('ERR_IC_SIGNATURE_INVALID');
    const later = { ...link.delegation, expiration: link.delegation.expiration + 1n };
    expect(
      await codeOf(
        acceptDelegation(store, { ...good, delegations: [{ ...link, delegation: later }] }, opts),
      ),
    ).toBe('ERR_IC_SIGNATURE_INVALID');
    const expired = asSuccess(await signedFor(sessionKey, BigInt(NOW - 1) * 1_000_000n));
    expect(await codeOf(acceptDelegation(store, expired, opts))).toBe('ERR_IC_DELEGATION_EXPIRED');
    expect(await store.listAll()).toEqual([]);
  });

  it('reads an expired stored chain as expired, keeping the principal', async () => {
    const store = new MemoryStore();
    const sessionKey = await deviceKey();
    const { principal } = await acceptDelegation(store, asSuccess(await signedFor(sessionKey)), {
      sessionKey,
      provider: PROVIDER,
      now: NOW,
    });
    expect(await loadSession(store, { sessionKey, now: NOW + 3_600_001 })).toEqual({
      state: 'expired',
      principal,
      provider: PROVIDER,
    });
  });

  it('refuses a stored chain edited in the store, and one for another device key', async () => {
    const store = new MemoryStore();
    const sessionKey = await deviceKey();
    await acceptDelegation(store, asSuccess(await signedFor(sessionKey)), {
      sessionKey,
      provider: PROVIDER,
      now: NOW,
    });
    const stored = (await store.get<StoredSession>(II_SESSION.collection, II_SESSION.key))!;
    expect(await codeOf(loadSession(store, { sessionKey: await deviceKey(), now: NOW }))).toBe(
      'ERR_IC_DELEGATION_SIGNER_MISMATCH',
    );
    const edited: StoredSession = structuredClone(stored);
    edited.chain.publicKey = derOf(
      'ed25519',
      ed25519.getPublicKey(new Uint8Array(32).fill(2)),
    ).reduce((hex, b) => hex + b.toString(16).padStart(2, '0'), '');
    await store.write([{ op: 'put', ...II_SESSION, value: edited }]);
    expect(await codeOf(loadSession(store, { sessionKey, now: NOW }))).toBe(
      'ERR_IC_SIGNATURE_INVALID',
    );
  });

  it('signs out by deleting the chain', async () => {
    const store = new MemoryStore();
    const sessionKey = await deviceKey();
    await acceptDelegation(store, asSuccess(await signedFor(sessionKey)), {
      sessionKey,
      provider: PROVIDER,
      now: NOW,
    });
    await signOut(store);
    expect(await loadSession(store, { sessionKey, now: NOW })).toBeUndefined();
  });
});
