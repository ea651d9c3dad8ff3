import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createDelegation,
  delegationIdentity,
  derOf,
  Principal,
  signerIdentity,
  type IcIdentity,
  type IcSigner,
} from '../../protocol/ic/index.js';
import { candidText, startTestReplica } from './test_replica.js';

const CANISTER = Principal.fromText('rdmx6-jaaaa-aaaaa-aaadq-cai');
const NO_ARGS = Uint8Array.from([0x44, 0x49, 0x44, 0x4c, 0, 0]);

function signer(n: number): IcSigner {
  const secret = new Uint8Array(32).fill(n);
  return {
    publicKeyDer: derOf('ed25519', ed25519.getPublicKey(secret)),
    sign: (payload) => Promise.resolve(ed25519.sign(payload, secret)),
  };
}

let replica: Awaited<ReturnType<typeof startTestReplica>>;
beforeAll(async () => {
  replica = await startTestReplica();
});
afterAll(() => replica.stop());

const whoami = (identity: IcIdentity, methodName = 'whoami') =>
  call(
    {
      fetch: (url, init) => fetch(url, init),
      host: replica.url,
      identity,
      now: () => Date.now(),
      rootKey: replica.rootKey,
    },
    { canisterId: CANISTER, methodName, arg: NO_ARGS },
  );

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: { code?: string }) => e.code,
  );

describe('test replica', () => {
  it('answers a signed call with a certified reply naming the sender', async () => {
    const me = signer(1);
    const sender = Principal.selfAuthenticating(me.publicKeyDer).toText();
    expect(await whoami(signerIdentity(me))).toEqual(candidText(`Hello, ${sender}!`));
  });

  it('authenticates the envelope: a bad signature, a chain to another key, a target left out', async () => {
    const root = signer(1);
    const session = signer(2);
    const expiration = BigInt(Date.now() + 60_000) * 1_000_000n;
    const chain = await createDelegation(root, { pubkey: session.publicKeyDer, expiration });
    const ok = delegationIdentity(chain, session);
    expect(await whoami(ok)).toEqual(
      candidText(`Hello, ${Principal.selfAuthenticating(root.publicKeyDer).toText()}!`),
    );
    const zeros = { ...session, sign: () => Promise.resolve(new Uint8Array(64)) };
    expect(await codeOf(whoami(delegationIdentity(chain, zeros)))).toBe('ERR_IC_REJECTED');
    expect(await codeOf(whoami(delegationIdentity(chain, signer(3))))).toBe('ERR_IC_REJECTED');
    const elsewhere = await createDelegation(root, {
      pubkey: session.publicKeyDer,
      expiration,
      targets: [Principal.fromText('aaaaa-aa')],
    });
    expect(await codeOf(whoami(delegationIdentity(elsewhere, session)))).toBe('ERR_IC_REJECTED');
    expect(await codeOf(whoami(ok, 'other'))).toBe('ERR_IC_REJECTED');
  });
});
