/**
 * The agent against a fake IC that signs its certificates with a test BLS key (the real IC cannot
 * be reached here): envelopes as sent, v3 call, 202 and polling, rejects, deadline, query node
 * signatures. readSubnetNodeKeys runs on a recorded mainnet /subnet certificate
 * (vectors/mainnet_subnet_certificates.json, from dfinity/agent-js goldenCertificates.ts at
 * e1a1d93aef4b10389f934d04a34e70d924a49268). Other real-network vectors are in the certificate,
 * canister-signature and delegation tests.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { isDiscoError } from '../../errors/index.js';
import { decodeCbor, encodeCbor, type CborValue } from '../cbor/index.js';
import {
  IC_BLS_DST,
  IC_MAINNET_ROOT_KEY_DER,
  reconstruct,
  type HashTree,
} from '../certificate/index.js';
import mainnetSubnets from '../vectors/mainnet_subnet_certificates.json';
import {
  createDelegation,
  DelegationChain,
  verifyDelegationChain,
  type IcSigner,
} from '../delegation/index.js';
import { IC_REQUEST, IC_RESPONSE, IC_STATE_ROOT, withSeparator } from '../domain_separators.js';
import { hashOfMap, lebEncode, requestIdOf } from '../hash/index.js';
import { derOf } from '../keys/index.js';
import { Principal } from '../principal/index.js';
import { verifyIcSignature } from '../verify_ic_signature.js';
import {
  anonymousIdentity,
  call,
  delegationIdentity,
  IcRejectError,
  query,
  readSubnetNodeKeys,
  readSubnetState,
  signerIdentity,
  type AgentContext,
  type IcFetch,
} from './index.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const fromHex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));
const NOW = Date.UTC(2026, 0, 1);
const canisterId = Principal.fromText('rdmx6-jaaaa-aaaaa-aaadq-cai');

const bls = bls12_381.shortSignatures;
const { secretKey: blsSecret, publicKey: blsPublic } = bls.keygen(new Uint8Array(48).fill(7));
const rootKey = derOf('bls12381-g2', blsPublic.toBytes());

function ed25519Signer(n: number): IcSigner {
  const seed = new Uint8Array(32).fill(n);
  return {
    publicKeyDer: derOf('ed25519', ed25519.getPublicKey(seed)),
    sign: (payload) => Promise.resolve(ed25519.sign(payload, seed)),
  };
}

const label = (l: string | Uint8Array, t: HashTree): HashTree => [
  2,
  typeof l === 'string' ? utf8(l) : l,
  t,
];
const leaf = (v: string | Uint8Array): HashTree => [3, typeof v === 'string' ? utf8(v) : v];

/** A certificate the fake IC signs: the request's status leaves and /time. */
function certificate(
  requestId: Uint8Array,
  leaves: Array<[string, HashTree]>,
  now = NOW,
): Uint8Array {
  let status: HashTree = label(leaves[0]![0], leaves[0]![1]);
  for (const [name, value] of leaves.slice(1)) status = [1, status, label(name, value)];
  const tree: HashTree = [
    1,
    label('request_status', label(requestId, status)),
    label('time', leaf(lebEncode(BigInt(now) * 1_000_000n))),
  ];
  const message = withSeparator(IC_STATE_ROOT, reconstruct(tree));
  const signature = bls.sign(bls.hash(message, IC_BLS_DST), blsSecret).toBytes();
  return encodeCbor({ tree: tree as never, signature });
}

interface Sent {
  url: string;
  envelope: Record<string, CborValue>;
}

function fakeIc(
  answer: (sent: Sent, requestId: Uint8Array, n: number) => { status: number; body?: CborValue },
) {
  const sent: Sent[] = [];
  const fetch: IcFetch = (url, init) => {
    const envelope = decodeCbor(init.body) as Record<string, CborValue>;
    sent.push({ url, envelope });
    const content = envelope.content as Record<string, Uint8Array>;
    const requestId = requestIdOf(content);
    const { status, body } = answer(sent[sent.length - 1]!, requestId, sent.length);
    const bytes = body === undefined ? new Uint8Array(0) : encodeCbor(body);
    return Promise.resolve({ status, arrayBuffer: () => Promise.resolve(bytes.slice().buffer) });
  };
  return { fetch, sent };
}

function context(fetch: IcFetch, identity = signerIdentity(ed25519Signer(1))): AgentContext {
  let clock = NOW;
  return {
    fetch,
    host: 'https://ic.test',
    identity,
    rootKey,
    now: () => clock,
    sleep: (ms) => {
      clock += ms;
      return Promise.resolve();
    },
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return isDiscoError(err) ? err.code : `not a DiscoError: ${String(err)}`;
  }
  return undefined;
}

const replied = (
  requestId: Uint8Array,
  reply = 'DIDL\x00\x00',
): { status: number; body: CborValue } => ({
  status: 200,
  body: {
    status: 'replied',
    certificate: certificate(requestId, [
      ['reply', leaf(reply)],
      ['status', leaf('replied')],
    ]),
  },
});

describe('update calls (interface spec §Request: Call)', () => {
  it('sends a signed envelope to the v3 endpoint and returns the certified reply', async () => {
    const ic = fakeIc((_, id) => replied(id));
    const signer = ed25519Signer(1);
    const reply = await call(context(ic.fetch), {
      canisterId,
      methodName: 'greet',
      arg: utf8('DIDL'),
    });
    expect(new TextDecoder().decode(reply)).toBe('DIDL\x00\x00');
    const { url, envelope } = ic.sent[0]!;
    expect(url).toBe(`https://ic.test/api/v3/canister/${canisterId.toText()}/call`);
    const content = envelope.content as Record<string, Uint8Array>;
    expect(content.request_type).toBe('call');
    expect(content.method_name).toBe('greet');
    expect(
      Principal.fromUint8Array(content.sender!).equals(
        Principal.selfAuthenticating(signer.publicKeyDer),
      ),
    ).toBe(true);
    await verifyIcSignature(
      envelope.sender_pubkey as Uint8Array,
      withSeparator(IC_REQUEST, requestIdOf(content)),
      envelope.sender_sig as Uint8Array,
      { now: NOW },
    );
  });

  it('sends the delegation chain and signs with the session key', async () => {
    const root = ed25519Signer(2);
    const session = ed25519Signer(3);
    const expiration = BigInt(NOW + 3_600_000) * 1_000_000n;
    const chain = await createDelegation(root, { pubkey: session.publicKeyDer, expiration });
    const ic = fakeIc((_, id) => replied(id));
    await call(context(ic.fetch, delegationIdentity(chain, session)), {
      canisterId,
      methodName: 'm',
      arg: new Uint8Array(),
    });
    const { envelope } = ic.sent[0]!;
    const links = envelope.sender_delegation as Array<{
      delegation: { pubkey: Uint8Array; expiration: bigint };
      signature: Uint8Array;
    }>;
    const received = DelegationChain.fromDelegations(
      links.map((l) => ({
        delegation: { pubkey: l.delegation.pubkey, expiration: BigInt(l.delegation.expiration) },
        signature: l.signature,
      })),
      envelope.sender_pubkey as Uint8Array,
    );
    const verified = await verifyDelegationChain(received, {
      now: NOW,
      sessionKey: session.publicKeyDer,
    });
    const content = envelope.content as Record<string, Uint8Array>;
    expect(Principal.fromUint8Array(content.sender!).equals(verified.principal)).toBe(true);
    await verifyIcSignature(
      session.publicKeyDer,
      withSeparator(IC_REQUEST, requestIdOf(content)),
      envelope.sender_sig as Uint8Array,
      { now: NOW },
    );
  });

  it('sends anonymous calls without key or signature', async () => {
    const ic = fakeIc((_, id) => replied(id));
    await call(context(ic.fetch, anonymousIdentity()), {
      canisterId,
      methodName: 'm',
      arg: new Uint8Array(),
    });
    expect(Object.keys(ic.sent[0]!.envelope)).toEqual(['content']);
  });

  it('polls read_state after a 202 until the reply is certified', async () => {
    let callId: Uint8Array | undefined;
    const ic = fakeIc((sent, id, n) => {
      if (n === 1) {
        callId = id;
        return { status: 202 };
      }
      expect(sent.url).toBe(`https://ic.test/api/v2/canister/${canisterId.toText()}/read_state`);
      if (n === 2)
        return {
          status: 200,
          body: { certificate: certificate(callId!, [['status', leaf('processing')]]) },
        };
      return {
        status: 200,
        body: {
          certificate: (replied(callId!, 'late').body as { certificate: Uint8Array }).certificate,
        },
      };
    });
    const reply = await call(context(ic.fetch), {
      canisterId,
      methodName: 'm',
      arg: new Uint8Array(),
    });
    expect(new TextDecoder().decode(reply)).toBe('late');
    expect(ic.sent).toHaveLength(3);
  });

  it('reports rejects with their code, and gives up at the deadline', async () => {
    const rejected = fakeIc((_, id) => ({
      status: 200,
      body: {
        status: 'replied',
        certificate: certificate(id, [
          ['reject_code', leaf(lebEncode(4n))],
          ['reject_message', leaf('no')],
          ['status', leaf('rejected')],
        ]),
      },
    }));
    const err = await call(context(rejected.fetch), {
      canisterId,
      methodName: 'm',
      arg: new Uint8Array(),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IcRejectError);
    expect((err as IcRejectError).rejectCode).toBe(4n);
    const early = fakeIc(() => ({
      status: 200,
      body: {
        status: 'non_replicated_rejection',
        reject_code: 3,
        reject_message: 'inspect',
        error_code: 'IC0406',
      },
    }));
    expect(
      await codeOf(
        call(context(early.fetch), { canisterId, methodName: 'm', arg: new Uint8Array() }),
      ),
    ).toBe('ERR_IC_REJECTED');
    const never = fakeIc((_, id, n) =>
      n === 1
        ? { status: 202 }
        : { status: 200, body: { certificate: certificate(id, [['status', leaf('received')]]) } },
    );
    expect(
      await codeOf(
        call(context(never.fetch), {
          canisterId,
          methodName: 'm',
          arg: new Uint8Array(),
          deadlineMs: 10_000,
        }),
      ),
    ).toBe('ERR_TIMEOUT');
  });

  it('refuses a certificate the root key did not sign, and maps 5xx to transport', async () => {
    const other = fakeIc((_, id) => replied(id));
    const ctx = {
      ...context(other.fetch),
      rootKey: derOf('bls12381-g2', bls.keygen(new Uint8Array(48).fill(9)).publicKey.toBytes()),
    };
    expect(await codeOf(call(ctx, { canisterId, methodName: 'm', arg: new Uint8Array() }))).toBe(
      'ERR_IC_CERT_SIGNATURE_INVALID',
    );
    const down = fakeIc(() => ({ status: 503 }));
    expect(
      await codeOf(
        call(context(down.fetch), { canisterId, methodName: 'm', arg: new Uint8Array() }),
      ),
    ).toBe('ERR_TRANSPORT_FAILED');
  });
});

describe('query calls (interface spec §Request: Query call)', () => {
  const nodeSeed = new Uint8Array(32).fill(5);
  const nodeId = Principal.fromUint8Array(new Uint8Array([1, 2, 3, 2]));
  const nodeKeys = new Map([[nodeId.toText(), derOf('ed25519', ed25519.getPublicKey(nodeSeed))]]);

  function signedReply(requestId: Uint8Array, arg: Uint8Array, tamper = false): CborValue {
    const timestamp = BigInt(NOW) * 1_000_000n;
    const reply = { arg };
    const hash = hashOfMap({ status: 'replied', reply, timestamp, request_id: requestId });
    const signature = ed25519.sign(withSeparator(IC_RESPONSE, hash), nodeSeed);
    return {
      status: 'replied',
      reply: { arg: tamper ? utf8('forged') : arg },
      signatures: [{ timestamp, signature, identity: nodeId.toUint8Array() }],
    };
  }

  it('returns the reply and checks node signatures when keys are given', async () => {
    const ic = fakeIc((_, id) => ({ status: 200, body: signedReply(id, utf8('hi')) }));
    const reply = await query(context(ic.fetch), {
      canisterId,
      methodName: 'q',
      arg: new Uint8Array(),
      nodeKeys,
    });
    expect(new TextDecoder().decode(reply)).toBe('hi');
    expect(ic.sent[0]!.url).toBe(`https://ic.test/api/v2/canister/${canisterId.toText()}/query`);
    expect((ic.sent[0]!.envelope.content as Record<string, unknown>).request_type).toBe('query');
  });

  it('refuses a reply its node did not sign, or signed by an unknown node', async () => {
    const forged = fakeIc((_, id) => ({ status: 200, body: signedReply(id, utf8('hi'), true) }));
    expect(
      await codeOf(
        query(context(forged.fetch), {
          canisterId,
          methodName: 'q',
          arg: new Uint8Array(),
          nodeKeys,
        }),
      ),
    ).toBe('ERR_RESPONSE_UNTRUSTED');
    const ic = fakeIc((_, id) => ({ status: 200, body: signedReply(id, utf8('hi')) }));
    expect(
      await codeOf(
        query(context(ic.fetch), {
          canisterId,
          methodName: 'q',
          arg: new Uint8Array(),
          nodeKeys: new Map(),
        }),
      ),
    ).toBe('ERR_RESPONSE_UNTRUSTED');
  });

  it('reads the node keys of a mainnet subnet through read_state (recorded certificate)', async () => {
    const vector = mainnetSubnets.mainnetApplication;
    const ic = fakeIc(() => ({ status: 200, body: { certificate: fromHex(vector.certificate) } }));
    const ctx = {
      ...context(ic.fetch),
      rootKey: IC_MAINNET_ROOT_KEY_DER,
      now: () => Date.parse(vector.time),
    };
    const keys = await readSubnetNodeKeys(ctx, Principal.fromText(vector.canisterId));
    expect([...keys.keys()].sort()).toEqual(Object.keys(vector.nodeKeys).sort());
    const paths = (ic.sent[0]!.envelope.content as { paths: Uint8Array[][] }).paths;
    expect(paths.map((p) => p.map((l) => new TextDecoder().decode(l)))).toEqual([['subnet']]);
  });

  it('reads subnet state at the subnet endpoint and checks the delegation names that subnet', async () => {
    const vector = mainnetSubnets.mainnetApplication;
    const ic = fakeIc(() => ({ status: 200, body: { certificate: fromHex(vector.certificate) } }));
    const ctx = {
      ...context(ic.fetch),
      rootKey: IC_MAINNET_ROOT_KEY_DER,
      now: () => Date.parse(vector.time),
    };
    const subnetId = Principal.fromText(vector.subnetId);
    const cert = await readSubnetState(ctx, subnetId, [[utf8('subnet')]]);
    expect(cert.subnetId?.toText()).toBe(vector.subnetId);
    expect(ic.sent[0]!.url).toBe(`https://ic.test/api/v2/subnet/${vector.subnetId}/read_state`);
    const otherSubnet = Principal.fromText(mainnetSubnets.mainnetSystem.subnetId);
    expect(await codeOf(readSubnetState(ctx, otherSubnet, [[utf8('subnet')]]))).toBe(
      'ERR_IC_CERT_NOT_AUTHORIZED',
    );
  });

  it('reports a rejected query', async () => {
    const ic = fakeIc(() => ({
      status: 200,
      body: { status: 'rejected', reject_code: 3, reject_message: 'no method', signatures: [] },
    }));
    const err = await query(context(ic.fetch), {
      canisterId,
      methodName: 'q',
      arg: new Uint8Array(),
    }).catch((e: unknown) => e);
    expect((err as IcRejectError).code).toBe('ERR_IC_REJECTED');
    expect((err as IcRejectError).rejectCode).toBe(3n);
  });
});
