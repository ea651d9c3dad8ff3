import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../../testing/code_of.js';
import { DiscoError } from '../../errors/index.js';
import { MemoryStore } from '../../storage/memory_store.js';
import { createDelegation } from '../delegation/index.js';
import { derOf } from '../keys/index.js';
import { Principal } from '../principal/index.js';
import {
  II_SESSION,
  releasePrincipalProof,
  verifyPrincipalProof,
  type PrincipalProof,
} from './index.js';

const NOW = 1_780_000_000_000;
const HOUR_NS = 3_600_000_000_000n;
const CHALLENGE = 'c2hvcC1jaGFsbGVuZ2UtMDAx';
const PROVIDER = 'https://identity.example';

type TestSigner = {
  raw: Uint8Array;
  publicKeyDer: Uint8Array;
  sign: (payload: Uint8Array) => Promise<Uint8Array>;
};

function ed25519Signer(seedByte: number): TestSigner {
  const seed = new Uint8Array(32).fill(seedByte);
  const raw = ed25519.getPublicKey(seed);
  return {
    raw,
    publicKeyDer: derOf('ed25519', raw),
    sign: (payload) => Promise.resolve(ed25519.sign(payload, seed)),
  };
}

/** A device signed in: the person's root key → this device's key, stored as the app stores it. */
async function signedInDevice(opts: { root?: number; device?: number; ttl?: bigint } = {}) {
  const root = ed25519Signer(opts.root ?? 1);
  const device = ed25519Signer(opts.device ?? 2);
  const chain = await createDelegation(root, {
    pubkey: device.publicKeyDer,
    expiration: BigInt(NOW) * 1_000_000n + (opts.ttl ?? HOUR_NS),
  });
  const store = new MemoryStore();
  await store.write([
    {
      op: 'put',
      ...II_SESSION,
      value: { version: 1, provider: PROVIDER, chain: chain.toJSON() },
    },
  ]);
  return { root, device, store };
}

async function proofFrom(
  d: Awaited<ReturnType<typeof signedInDevice>>,
  over: { sign?: TestSigner['sign']; clientId?: string; challenge?: string } = {},
): Promise<PrincipalProof> {
  const proof = await releasePrincipalProof({
    store: d.store,
    devicePublicKey: d.device.raw,
    sign: over.sign ?? d.device.sign,
    clientId: over.clientId ?? 'courier',
    challenge: over.challenge ?? CHALLENGE,
    now: NOW,
  });
  expect(proof).toBeDefined();
  return proof!;
}

const verify = (value: unknown, over: Partial<Parameters<typeof verifyPrincipalProof>[1]> = {}) =>
  verifyPrincipalProof(value, { challenge: CHALLENGE, now: NOW, clientId: 'courier', ...over });

const flipHex = (text: string, i: number) =>
  text.slice(0, i) + (parseInt(text[i]!, 16) ^ 1).toString(16) + text.slice(i + 1);

describe('the ic_principal proof', () => {
  it('verifies and returns the principal of the chain root, with provider and expiry', async () => {
    const d = await signedInDevice();
    const proof = await proofFrom(d);
    const expected = Principal.selfAuthenticating(d.root.publicKeyDer).toText();
    expect(proof.principal).toBe(expected);
    expect(await verify(proof)).toEqual({
      principal: expected,
      provider: PROVIDER,
      expiresAt: NOW + 3_600_000,
    });
    // the value goes through JSON on the wire
    expect((await verify(JSON.parse(JSON.stringify(proof)))).principal).toBe(expected);
  });

  it('two devices of one person present the same principal, with different keys', async () => {
    const a = await proofFrom(await signedInDevice({ device: 2 }));
    const b = await proofFrom(await signedInDevice({ device: 3 }));
    expect((await verify(a)).principal).toBe((await verify(b)).principal);
    expect(a.signature).not.toBe(b.signature);
    const other = await proofFrom(await signedInDevice({ root: 9 }));
    expect((await verify(other)).principal).not.toBe((await verify(a)).principal);
  });

  it('refuses another challenge or another company (ERR_IC_PROOF_CHALLENGE)', async () => {
    const proof = await proofFrom(await signedInDevice());
    expect(await codeOf(verify(proof, { challenge: 'another-challenge-000' }))).toBe(
      'ERR_IC_PROOF_CHALLENGE',
    );
    expect(await codeOf(verify(proof, { clientId: 'shop' }))).toBe('ERR_IC_PROOF_CHALLENGE');
    // rewriting the challenge in the value to the verifier's breaks the signature
    const rewritten = { ...proof, challenge: 'another-challenge-000' };
    expect(await codeOf(verify(rewritten, { challenge: 'another-challenge-000' }))).toBe(
      'ERR_IC_PROOF_SIGNATURE',
    );
    expect(
      await codeOf(
        verifyPrincipalProof({ ...proof, client_id: 'shop' }, { challenge: CHALLENGE, now: NOW }),
      ),
    ).toBe('ERR_IC_PROOF_SIGNATURE');
  });

  it('refuses a principal the chain does not prove (ERR_IC_PROOF_PRINCIPAL)', async () => {
    const proof = await proofFrom(await signedInDevice());
    const other = Principal.selfAuthenticating(ed25519Signer(7).publicKeyDer).toText();
    expect(await codeOf(verify({ ...proof, principal: other }))).toBe('ERR_IC_PROOF_PRINCIPAL');
  });

  it('refuses a challenge signed by another key than the chain ends at (ERR_IC_PROOF_SIGNATURE)', async () => {
    const d = await signedInDevice();
    const proof = await proofFrom(d, { sign: ed25519Signer(5).sign });
    expect(await codeOf(verify(proof))).toBe('ERR_IC_PROOF_SIGNATURE');
    expect(await codeOf(verify({ ...proof, provider: 'https://evil.example' }))).toBe(
      'ERR_IC_PROOF_SIGNATURE',
    );
  });

  it('refuses an expired chain (ERR_IC_DELEGATION_EXPIRED)', async () => {
    const proof = await proofFrom(await signedInDevice());
    expect(await codeOf(verify(proof, { now: NOW + 3_600_001 }))).toBe('ERR_IC_DELEGATION_EXPIRED');
  });

  it('refuses every hex digit of the signature and the chain flipped in turn', async () => {
    const proof = await proofFrom(await signedInDevice());
    const variants: unknown[] = [];
    for (let i = 0; i < proof.signature.length; i++) {
      variants.push({ ...proof, signature: flipHex(proof.signature, i) });
    }
    const chain = proof.delegation_chain;
    for (let i = 0; i < chain.publicKey.length; i++) {
      variants.push({
        ...proof,
        delegation_chain: { ...chain, publicKey: flipHex(chain.publicKey, i) },
      });
    }
    const link = chain.delegations[0]!;
    for (const field of ['pubkey', 'expiration'] as const) {
      for (let i = 0; i < link.delegation[field].length; i++) {
        const delegation = { ...link.delegation, [field]: flipHex(link.delegation[field], i) };
        variants.push({
          ...proof,
          delegation_chain: { ...chain, delegations: [{ ...link, delegation }] },
        });
      }
    }
    for (let i = 0; i < link.signature.length; i++) {
      const signature = flipHex(link.signature, i);
      variants.push({
        ...proof,
        delegation_chain: { ...chain, delegations: [{ ...link, signature }] },
      });
    }
    expect(variants.length).toBeGreaterThan(400);
    for (const v of variants) {
      const err = await verify(v).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DiscoError);
    }
  });

  it.each([
    ['not an object', 'ic'],
    ['no version', { principal: 'aaaaa-aa' }],
    ['a signature that is not hex', 'sig'],
    ['no chain', 'chain'],
  ])('refuses %s (ERR_IC_PROOF_MALFORMED)', async (_name, how) => {
    const proof = await proofFrom(await signedInDevice());
    const value =
      how === 'sig'
        ? { ...proof, signature: 'zz' }
        : how === 'chain'
          ? { ...proof, delegation_chain: undefined }
          : how;
    expect(await codeOf(verify(value))).toBe('ERR_IC_PROOF_MALFORMED');
  });

  it('refuses a challenge that is too short to be one (ERR_IC_PROOF_MALFORMED)', async () => {
    const proof = await proofFrom(await signedInDevice());
    expect(await codeOf(verify(proof, { challenge: 'short' }))).toBe('ERR_IC_PROOF_MALFORMED');
    expect(await codeOf(proofFrom(await signedInDevice(), { challenge: 'short' }))).toBe(
      'ERR_IC_PROOF_MALFORMED',
    );
  });

  it('releases nothing when the device is not signed in or the session expired', async () => {
    const base = {
      devicePublicKey: ed25519Signer(2).raw,
      sign: ed25519Signer(2).sign,
      clientId: 'courier',
      challenge: CHALLENGE,
    };
    expect(
      await releasePrincipalProof({ ...base, store: new MemoryStore(), now: NOW }),
    ).toBeUndefined();
    const d = await signedInDevice();
    expect(
      await releasePrincipalProof({ ...base, store: d.store, now: NOW + 3_600_001 }),
    ).toBeUndefined();
  });

  it('refuses to release a session that ends at another device key', async () => {
    const d = await signedInDevice({ device: 2 });
    const other = ed25519Signer(4);
    expect(
      await codeOf(
        releasePrincipalProof({
          store: d.store,
          devicePublicKey: other.raw,
          sign: other.sign,
          clientId: 'courier',
          challenge: CHALLENGE,
          now: NOW,
        }),
      ),
    ).toBe('ERR_IC_DELEGATION_SIGNER_MISMATCH');
  });
});
