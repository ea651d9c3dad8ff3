import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidText, startTestReplica } from '../../demo/test_idp/test_replica.js';
import { systemClock, systemRandom } from '../../protocol/encoding/index.js';
import { setupDevice } from '../../protocol/identity/index.js';
import { createDelegation, derOf, Principal, type IcSigner } from '../../protocol/ic/index.js';
import { MemoryStore } from '../../protocol/storage/index.js';
import { candidTextOf, requestAsPrincipal } from './ii_call.js';
import { acceptDelegation, sessionKeyOf } from './ii_session.js';

const CANISTER = 'rdmx6-jaaaa-aaaaa-aaadq-cai';
const NO_ARGS = Uint8Array.from([0x44, 0x49, 0x44, 0x4c, 0, 0]);

const root: IcSigner = (() => {
  const secret = new Uint8Array(32).fill(5);
  return {
    publicKeyDer: derOf('ed25519', ed25519.getPublicKey(secret)),
    sign: (payload) => Promise.resolve(ed25519.sign(payload, secret)),
  };
})();

let replica: Awaited<ReturnType<typeof startTestReplica>>;
beforeAll(async () => {
  replica = await startTestReplica();
});
afterAll(() => replica.stop());

/** A device with its identity key, signed in with a chain from `root`. */
async function signedInDevice(targets?: Principal[]) {
  const store = new MemoryStore();
  const { identity } = await setupDevice(store, {
    passphrase: 'purple elephant sings at noon',
    clock: systemClock,
    random: systemRandom,
  });
  const sessionKey = await sessionKeyOf(identity.signingJwk);
  const chain = await createDelegation(root, {
    pubkey: sessionKey,
    expiration: BigInt(Date.now() + 3_600_000) * 1_000_000n,
    ...(targets ? { targets } : {}),
  });
  await acceptDelegation(
    store,
    {
      kind: 'authorize-client-success',
      userPublicKey: chain.publicKey,
      delegations: chain.delegations.map(({ delegation, signature }) => ({
        delegation: {
          pubkey: delegation.pubkey,
          expiration: delegation.expiration,
          ...(delegation.targets
            ? { targets: delegation.targets.map((t) => t.toUint8Array()) }
            : {}),
        },
        signature,
      })),
    },
    { sessionKey, provider: 'http://127.0.0.1:1', now: Date.now() },
  );
  return { store, sessionKey };
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: { code?: string }) => e.code,
  );

describe('requestAsPrincipal', () => {
  it('signs with the device key for the II principal; the replica sees that principal', async () => {
    const { store, sessionKey } = await signedInDevice();
    const reply = await requestAsPrincipal(
      store,
      'call',
      { canisterId: CANISTER, method: 'whoami', arg: NO_ARGS },
      { host: replica.url, rootKey: replica.rootKey, sessionKey },
    );
    const principal = Principal.selfAuthenticating(root.publicKeyDer).toText();
    expect(candidTextOf(reply)).toBe(`Hello, ${principal}!`);
  });

  it('queries too: the reply signed by the node whose key the /subnet certificate gives', async () => {
    const { store, sessionKey } = await signedInDevice();
    const reply = await requestAsPrincipal(
      store,
      'query',
      { canisterId: CANISTER, method: 'whoami', arg: NO_ARGS },
      { host: replica.url, rootKey: replica.rootKey, rootSubnetId: replica.subnetId, sessionKey },
    );
    const principal = Principal.selfAuthenticating(root.publicKeyDer).toText();
    expect(candidTextOf(reply)).toBe(`Hello, ${principal}!`);
    // Without the subnet id, the node keys of a certificate with no delegation are unknown.
    expect(
      await codeOf(
        requestAsPrincipal(
          store,
          'query',
          { canisterId: CANISTER, method: 'whoami', arg: NO_ARGS },
          { host: replica.url, rootKey: replica.rootKey, sessionKey },
        ),
      ),
    ).toBe('ERR_IC_CERT_DELEGATION_INVALID');
    // Under the mainnet root key the /subnet certificate does not verify.
    expect(
      await codeOf(
        requestAsPrincipal(
          store,
          'query',
          { canisterId: CANISTER, method: 'whoami', arg: NO_ARGS },
          { host: replica.url, rootSubnetId: replica.subnetId, sessionKey },
        ),
      ),
    ).toBe('ERR_IC_CERT_SIGNATURE_INVALID');
  });

  it('refuses a reply whose certificate is not under the trusted root key', async () => {
    const { store, sessionKey } = await signedInDevice();
    // Without rootKey the IC mainnet key is the root of trust: the test replica's BLS key is not.
    expect(
      await codeOf(
        requestAsPrincipal(
          store,
          'call',
          { canisterId: CANISTER, method: 'whoami', arg: NO_ARGS },
          { host: replica.url, sessionKey },
        ),
      ),
    ).toBe('ERR_IC_CERT_SIGNATURE_INVALID');
  });

  it('refuses, before sending, a canister the delegation does not cover', async () => {
    const { store, sessionKey } = await signedInDevice([Principal.fromText('aaaaa-aa')]);
    expect(
      await codeOf(
        requestAsPrincipal(
          store,
          'call',
          { canisterId: CANISTER, method: 'whoami', arg: NO_ARGS },
          { host: 'http://127.0.0.1:9', rootKey: replica.rootKey, sessionKey },
        ),
      ),
    ).toBe('ERR_IC_DELEGATION_TARGET');
  });

  it('refuses when signed out, and a bad method name', async () => {
    const { store, sessionKey } = await signedInDevice();
    const opts = { host: replica.url, rootKey: replica.rootKey, sessionKey };
    expect(
      await codeOf(
        requestAsPrincipal(
          store,
          'call',
          { canisterId: CANISTER, method: 'who ami', arg: NO_ARGS },
          opts,
        ),
      ),
    ).toBe('ERR_INVALID_INPUT');
    expect(
      await codeOf(
        requestAsPrincipal(
          new MemoryStore(),
          'call',
          { canisterId: CANISTER, method: 'whoami', arg: NO_ARGS },
          opts,
        ),
      ),
    ).toBe('ERR_INVALID_INPUT');
  });
});

describe('candidTextOf', () => {
  it('reads one Candid text and nothing else', () => {
    expect(candidTextOf(candidText('héllo'))).toBe('héllo');
    expect(candidTextOf(candidText('x'.repeat(300)))).toBe('x'.repeat(300));
    expect(candidTextOf(NO_ARGS)).toBeUndefined();
    const long = candidText('abc');
    expect(candidTextOf(long.subarray(0, long.length - 1))).toBeUndefined();
    expect(candidTextOf(Uint8Array.from([...candidText('a'), 0]))).toBeUndefined();
  });
});
