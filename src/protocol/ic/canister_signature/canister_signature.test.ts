/**
 * Vector: vectors/ii_canister_signature.json, from dfinity/internet-identity
 * src/sig-verifier-js/src/lib.rs (commit 0e2dbae525a055902a7f566494b2091aacd86e1a): a mainnet
 * Internet Identity delegation (agent-js JSON form) whose signature is a canister signature by
 * fgte5-ciaaa-aaaad-aaatq-cai, with a subnet delegation, verified under the IC mainnet root key.
 */
import { describe, expect, it } from 'vitest';
import { isDiscoError } from '../../errors/index.js';
import { DelegationChain, delegationPayload } from '../delegation/index.js';
import { Principal } from '../principal/index.js';
import ii from '../vectors/ii_canister_signature.json';
import { parseCanisterSignaturePublicKey, verifyCanisterSignature } from './index.js';

const fromHex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return isDiscoError(err) ? err.code : `not a DiscoError: ${String(err)}`;
  }
  return undefined;
}

const chain = DelegationChain.fromJSON(ii.chain);
const link = chain.delegations[0]!;
const payload = delegationPayload(link.delegation);
// 42 ns before expiry, as the source's test; the certificate was made 8 h before that.
const now = Number((BigInt(ii.expiration) - 42n) / 1_000_000n);

describe('canister signatures (interface spec §Canister signatures)', () => {
  it('reads the II user key: canister and seed', () => {
    const key = parseCanisterSignaturePublicKey(chain.publicKey);
    expect(key.canisterId.toText()).toBe(ii.iiCanisterId);
    expect(key.seed).toHaveLength(32);
    expect(Principal.selfAuthenticating(chain.publicKey).toText()).toBe(ii.userPrincipal);
  });

  it('verifies the mainnet II signature on its delegation', async () => {
    expect(link.delegation.pubkey).toEqual(fromHex(ii.challenge));
    await expect(
      verifyCanisterSignature(payload, link.signature, chain.publicKey, { now }),
    ).resolves.toBeUndefined();
  });

  it('refuses another message, another seed, another root key, a stale certificate', async () => {
    const other = Uint8Array.from(payload);
    other[other.length - 1]! ^= 1;
    expect(
      await codeOf(verifyCanisterSignature(other, link.signature, chain.publicKey, { now })),
    ).toBe('ERR_IC_CANISTER_SIG_INVALID');
    const otherSeed = Uint8Array.from(chain.publicKey);
    otherSeed[otherSeed.length - 1]! ^= 1;
    expect(await codeOf(verifyCanisterSignature(payload, link.signature, otherSeed, { now }))).toBe(
      'ERR_IC_CANISTER_SIG_INVALID',
    );
    const rootKey = fromHex(
      '308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100' +
        '11'.repeat(96),
    );
    expect(
      await codeOf(
        verifyCanisterSignature(payload, link.signature, chain.publicKey, { now, rootKey }),
      ),
    ).toBe('ERR_IC_CERT_DELEGATION_INVALID');
    expect(
      await codeOf(
        verifyCanisterSignature(payload, link.signature, chain.publicKey, {
          now,
          maxCertificateAgeMs: 60 * 60_000,
        }),
      ),
    ).toBe('ERR_IC_CERT_STALE');
  });

  it('refuses the signature with any one byte flipped', async () => {
    const accepted: number[] = [];
    const notDisco: number[] = [];
    for (let i = 0; i < link.signature.length; i++) {
      const tampered = Uint8Array.from(link.signature);
      tampered[i]! ^= 0x01;
      try {
        await verifyCanisterSignature(payload, tampered, chain.publicKey, { now });
        accepted.push(i);
      } catch (err) {
        if (!isDiscoError(err)) notDisco.push(i);
      }
    }
    expect(accepted).toEqual([]);
    expect(notDisco).toEqual([]);
  }, 300_000);

  it('refuses the public key with any one byte flipped', async () => {
    for (let i = 0; i < chain.publicKey.length; i++) {
      const tampered = Uint8Array.from(chain.publicKey);
      tampered[i]! ^= 0x01;
      const code = await codeOf(
        verifyCanisterSignature(payload, link.signature, tampered, { now }),
      );
      expect(code, `byte ${i}`).toMatch(/^ERR_IC_/);
    }
  }, 120_000);
});
