/**
 * Vectors:
 * - vectors/delegation_chain_golden.json: agent-js packages/identity/src/identity/delegation.test.ts
 *   (commit e1a1d93aef4b10389f934d04a34e70d924a49268), the golden three-key Ed25519 chain.
 * - vectors/ii_canister_signature.json: internet-identity src/sig-verifier-js/src/lib.rs (commit
 *   0e2dbae525a055902a7f566494b2091aacd86e1a), a mainnet II chain whose root is a canister key.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { isDiscoError } from '../../errors/index.js';
import { derOf } from '../keys/index.js';
import { Principal } from '../principal/index.js';
import golden from '../vectors/delegation_chain_golden.json';
import ii from '../vectors/ii_canister_signature.json';
import {
  createDelegation,
  DelegationChain,
  verifyDelegationChain,
  type DelegationChainJson,
  type IcSigner,
} from './index.js';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return isDiscoError(err) ? err.code : `not a DiscoError: ${String(err)}`;
  }
  return undefined;
}

/** agent-js's Ed25519KeyIdentity.generate(seed) with seed [n, 0 × 31]. */
function ed25519Signer(n: number): IcSigner {
  const seed = new Uint8Array(32);
  seed[0] = n;
  return {
    publicKeyDer: derOf('ed25519', ed25519.getPublicKey(seed)),
    sign: (payload) => Promise.resolve(ed25519.sign(payload, seed)),
  };
}

const expiration = BigInt(golden.expirationMs) * 1_000_000n;
const before = golden.expirationMs - 60_000;
const root = ed25519Signer(golden.seeds.root);
const middle = ed25519Signer(golden.seeds.middle);
const bottom = ed25519Signer(golden.seeds.bottom);

async function goldenChain(targets?: { first?: Principal[]; second?: Principal[] }) {
  const first = await createDelegation(root, {
    pubkey: middle.publicKeyDer,
    expiration,
    ...(targets?.first ? { targets: targets.first } : {}),
  });
  return createDelegation(
    middle,
    {
      pubkey: bottom.publicKeyDer,
      expiration,
      ...(targets?.second ? { targets: targets.second } : {}),
    },
    first,
  );
}

describe('delegation chains (interface spec §Authentication)', () => {
  it('builds and signs the agent-js golden chain byte for byte', async () => {
    expect((await goldenChain()).toJSON()).toEqual(golden.golden);
  });

  it('verifies the golden chain from its JSON and names the root principal', async () => {
    const chain = DelegationChain.fromJSON(JSON.stringify(golden.golden));
    const verified = await verifyDelegationChain(chain, {
      now: before,
      sessionKey: bottom.publicKeyDer,
    });
    expect(verified.principal.equals(Principal.selfAuthenticating(root.publicKeyDer))).toBe(true);
    expect(verified.expiration).toBe(expiration);
    expect(verified.targets).toBeUndefined();
    expect(DelegationChain.fromJSON(chain.toJSON()).toJSON()).toEqual(golden.golden);
  });

  it('verifies the mainnet Internet Identity chain (canister-signature root)', async () => {
    const chain = DelegationChain.fromJSON(JSON.stringify(ii.chain));
    const now = Number((BigInt(ii.expiration) - 42n) / 1_000_000n);
    const challenge = new Uint8Array(Buffer.from(ii.challenge, 'hex'));
    const verified = await verifyDelegationChain(chain, { now, sessionKey: challenge });
    expect(verified.principal.toText()).toBe(ii.userPrincipal);
    expect(await codeOf(verifyDelegationChain(chain, { now: now + 1 }))).toBe(
      'ERR_IC_DELEGATION_EXPIRED',
    );
    const iiCanister = Principal.fromText(ii.iiCanisterId);
    await expect(
      verifyDelegationChain(chain, { now, rootCanisterId: iiCanister }),
    ).resolves.toBeTruthy();
    // The source's own wrong-canister case.
    const other = Principal.fromText('jqajs-xiaaa-aaaad-aab5q-cai');
    expect(await codeOf(verifyDelegationChain(chain, { now, rootCanisterId: other }))).toBe(
      'ERR_IC_DELEGATION_SIGNER_MISMATCH',
    );
  });

  it('verifies chains rooted in ECDSA P-256 (WebCrypto) and secp256k1 keys', async () => {
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ]);
    const p256: IcSigner = {
      publicKeyDer: new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey)),
      sign: async (payload) =>
        new Uint8Array(
          await crypto.subtle.sign(
            { name: 'ECDSA', hash: 'SHA-256' },
            pair.privateKey,
            Uint8Array.from(payload),
          ),
        ),
    };
    const k1Secret = secp256k1.utils.randomSecretKey();
    const k1: IcSigner = {
      publicKeyDer: derOf('ecdsa-secp256k1', secp256k1.getPublicKey(k1Secret, false)),
      sign: (payload) => Promise.resolve(secp256k1.sign(payload, k1Secret)),
    };
    for (const signer of [p256, k1]) {
      const chain = await createDelegation(signer, { pubkey: bottom.publicKeyDer, expiration });
      const verified = await verifyDelegationChain(chain, { now: before });
      expect(verified.principal.equals(Principal.selfAuthenticating(signer.publicKeyDer))).toBe(
        true,
      );
      const forged = DelegationChain.fromDelegations(
        [{ ...chain.delegations[0]!, signature: new Uint8Array(64).fill(1) }],
        chain.publicKey,
      );
      expect(await codeOf(verifyDelegationChain(forged, { now: before }))).toBe(
        'ERR_IC_SIGNATURE_INVALID',
      );
    }
  });

  it('refuses an expired link, a wrong session key, a repeated key', async () => {
    const chain = await goldenChain();
    expect(await codeOf(verifyDelegationChain(chain, { now: golden.expirationMs + 1 }))).toBe(
      'ERR_IC_DELEGATION_EXPIRED',
    );
    expect(
      await codeOf(verifyDelegationChain(chain, { now: before, sessionKey: middle.publicKeyDer })),
    ).toBe('ERR_IC_DELEGATION_SIGNER_MISMATCH');
    const loop = await createDelegation(bottom, { pubkey: middle.publicKeyDer, expiration }, chain);
    expect(await codeOf(verifyDelegationChain(loop, { now: before }))).toBe(
      'ERR_IC_DELEGATION_KEY_REPEATED',
    );
    const self = await createDelegation(root, { pubkey: root.publicKeyDer, expiration });
    expect(await codeOf(verifyDelegationChain(self, { now: before }))).toBe(
      'ERR_IC_DELEGATION_KEY_REPEATED',
    );
  });

  it('allows 20 links and refuses 21', async () => {
    let chain: DelegationChain | undefined;
    for (let i = 0; i < 21; i++) {
      const signer = ed25519Signer(10 + i);
      const next = ed25519Signer(11 + i);
      chain = await createDelegation(signer, { pubkey: next.publicKeyDer, expiration }, chain);
      if (i === 19) {
        await expect(verifyDelegationChain(chain, { now: before })).resolves.toBeTruthy();
      }
    }
    expect(await codeOf(verifyDelegationChain(chain!, { now: before }))).toBe(
      'ERR_IC_DELEGATION_TOO_LONG',
    );
    expect(() => DelegationChain.fromJSON(chain!.toJSON())).toThrow(/more than 20/);
  });

  it('intersects targets', async () => {
    const a = Principal.fromText('jyi7r-7aaaa-aaaab-aaabq-cai');
    const b = Principal.fromText('u76ha-lyaaa-aaaab-aacha-cai');
    const chain = await goldenChain({ first: [a, b], second: [b] });
    const verified = await verifyDelegationChain(chain, { now: before, target: b });
    expect(verified.targets?.map((t) => t.toText())).toEqual([b.toText()]);
    expect(await codeOf(verifyDelegationChain(chain, { now: before, target: a }))).toBe(
      'ERR_IC_DELEGATION_TARGET',
    );
    const json = JSON.stringify(chain.toJSON());
    const back = DelegationChain.fromJSON(json);
    await expect(verifyDelegationChain(back, { now: before, target: b })).resolves.toBeTruthy();
  });

  it('refuses malformed JSON with a code', () => {
    const bad: unknown[] = [
      'not json',
      '{}',
      { delegations: [{}], publicKey: '00' },
      {
        delegations: [{ delegation: { expiration: 'xyz', pubkey: '00' }, signature: '00' }],
        publicKey: '00',
      },
      {
        delegations: [{ delegation: { expiration: '1', pubkey: '0' }, signature: '00' }],
        publicKey: '00',
      },
      {
        delegations: [
          {
            delegation: { expiration: '1', pubkey: '00', targets: ['00'.repeat(30)] },
            signature: '00',
          },
        ],
        publicKey: '00',
      },
    ];
    for (const json of bad) {
      let code: string | undefined;
      try {
        DelegationChain.fromJSON(json as DelegationChainJson);
      } catch (err) {
        code = isDiscoError(err) ? err.code : 'not a DiscoError';
      }
      expect(code).toBe('ERR_IC_DELEGATION_MALFORMED');
    }
  });

  it('refuses the golden chain with any one byte of any field flipped', async () => {
    const json = golden.golden;
    const fields: Array<(j: DelegationChainJson) => [get: () => string, set: (v: string) => void]> =
      [
        (j) => [() => j.publicKey, (v) => (j.publicKey = v)],
        ...[0, 1].flatMap((n) => [
          (j: DelegationChainJson): [() => string, (v: string) => void] => [
            () => j.delegations[n]!.delegation.pubkey,
            (v) => (j.delegations[n]!.delegation.pubkey = v),
          ],
          (j: DelegationChainJson): [() => string, (v: string) => void] => [
            () => j.delegations[n]!.delegation.expiration,
            (v) => (j.delegations[n]!.delegation.expiration = v),
          ],
          (j: DelegationChainJson): [() => string, (v: string) => void] => [
            () => j.delegations[n]!.signature,
            (v) => (j.delegations[n]!.signature = v),
          ],
        ]),
      ];
    let flips = 0;
    for (const field of fields) {
      const length = field(structuredClone(json))[0]().length / 2;
      for (let i = 0; i < length; i++) {
        const copy: DelegationChainJson = structuredClone(json);
        const [get, set] = field(copy);
        const bytes = Buffer.from(get(), 'hex');
        bytes[i]! ^= 0x01;
        set(bytes.toString('hex'));
        const code = await codeOf(
          verifyDelegationChain(DelegationChain.fromJSON(copy), { now: before }),
        );
        expect(code, `${get()} byte ${i}`).toMatch(/^ERR_IC_/);
        flips++;
      }
    }
    expect(flips).toBe(44 + 2 * (44 + 8 + 64)); // root key; per link: key, expiration, signature
  });
});

describe('DelegationChain.fromJSON size cap', () => {
  it('refuses a JSON text over 1 MiB before parsing it', () => {
    const huge = `{"delegations":[],"publicKey":"${'00'.repeat(600 * 1024)}"}`;
    expect(() => DelegationChain.fromJSON(huge)).toThrow(
      expect.objectContaining({ code: 'ERR_TOO_LARGE' }),
    );
  });
});
