import { bls12_381 } from '@noble/curves/bls12-381.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import express from 'express';
import { isDiscoError } from '../../protocol/errors/index.js';
import {
  decodeCbor,
  DelegationChain,
  derOf,
  encodeCbor,
  hashOfMap,
  IC_BLS_DST,
  IC_REQUEST,
  IC_RESPONSE,
  IC_STATE_ROOT,
  lebEncode,
  natOf,
  Principal,
  reconstruct,
  requestIdOf,
  verifyDelegationChain,
  verifyIcSignature,
  withSeparator,
  type CborValue,
  type HashTree,
  type SignedDelegation,
} from '../../protocol/ic/index.js';
import { listen } from '../../server/listen.js';

/**
 * A stand-in for the Internet Computer, for the device app's browser tests: one "whoami"
 * canister behind the v3 call and v2 query endpoints, and `/subnet` read_state for its node key
 * (interface spec §HTTPS interface). It checks each envelope
 * as a replica does (the sender's key, its delegation chain with targets, the signature over the
 * request id) and answers with a certificate signed by its own BLS root key, which the app is
 * told to trust through `/app-config.json` `icRootKey`. The reply is Candid text naming the
 * caller, so a test sees which principal the canister saw.
 */
const bls = bls12_381.shortSignatures;
const utf8 = (s: string) => new TextEncoder().encode(s);
const label = (l: string | Uint8Array, t: HashTree): HashTree => [
  2,
  typeof l === 'string' ? utf8(l) : l,
  t,
];
const leaf = (v: string | Uint8Array): HashTree => [3, typeof v === 'string' ? utf8(v) : v];

type CborMap = Record<string, CborValue>;
const asMap = (v: CborValue | undefined): CborMap =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) ? v : {};
const bytes = (v: CborValue | undefined): Uint8Array =>
  v instanceof Uint8Array ? v : new Uint8Array(0);

/** Candid for one `text` value: `DIDL`, no types, one argument of type text (-15). */
export function candidText(text: string): Uint8Array {
  const body = utf8(text);
  return new Uint8Array([...utf8('DIDL'), 0, 1, 0x71, ...lebEncode(BigInt(body.length)), ...body]);
}

function delegationsOf(value: CborValue | undefined): SignedDelegation[] {
  if (!Array.isArray(value)) throw new TypeError('sender_delegation is not a list');
  return value.map((entry) => {
    const link = asMap(entry);
    const d = asMap(link.delegation);
    const targets = d.targets;
    return {
      delegation: {
        pubkey: bytes(d.pubkey),
        expiration: natOf(d.expiration) ?? 0n,
        ...(Array.isArray(targets)
          ? { targets: targets.map((t) => Principal.fromUint8Array(bytes(t))) }
          : {}),
      },
      signature: bytes(link.signature),
    };
  });
}

/** The sender as the replica authenticates it; throws on any failure. */
async function authenticate(envelope: CborMap, requestId: Uint8Array, canister: Principal) {
  const content = asMap(envelope.content);
  const sender = Principal.fromUint8Array(bytes(content.sender));
  if (sender.isAnonymous()) return sender;
  const senderKey = bytes(envelope.sender_pubkey);
  if (!Principal.selfAuthenticating(senderKey).equals(sender)) {
    throw new TypeError('sender is not the key');
  }
  let signer = senderKey;
  if (envelope.sender_delegation !== undefined) {
    const chain = DelegationChain.fromDelegations(
      delegationsOf(envelope.sender_delegation),
      senderKey,
    );
    signer = Uint8Array.from(
      (await verifyDelegationChain(chain, { now: Date.now(), target: canister })).sessionKey,
    );
  }
  await verifyIcSignature(
    signer,
    withSeparator(IC_REQUEST, requestId),
    bytes(envelope.sender_sig),
    { now: Date.now() },
  );
  return sender;
}

export interface TestReplica {
  url: string;
  /** DER BLS12-381 G2 key the certificates verify under. */
  rootKey: Uint8Array;
  /** Its one subnet, a root subnet: certificates carry no delegation naming it. */
  subnetId: string;
  stop: () => Promise<void>;
}

type Endpoint = 'call' | 'query' | 'read_state';

export async function startTestReplica(): Promise<TestReplica> {
  const { secretKey, publicKey } = bls.keygen(crypto.getRandomValues(new Uint8Array(48)));
  const rootKey = derOf('bls12381-g2', publicKey.toBytes());
  const subnetId = Principal.fromUint8Array(crypto.getRandomValues(new Uint8Array(29)));
  const nodeId = Principal.fromUint8Array(crypto.getRandomValues(new Uint8Array(29)));
  const nodeSecret = crypto.getRandomValues(new Uint8Array(32));
  const nodeKey = derOf('ed25519', ed25519.getPublicKey(nodeSecret));
  const nowNs = () => BigInt(Date.now()) * 1_000_000n;

  const certificate = (state: HashTree) => {
    const tree: HashTree = [1, state, label('time', leaf(lebEncode(nowNs())))];
    const message = withSeparator(IC_STATE_ROOT, reconstruct(tree));
    const signature = bls.sign(bls.hash(message, IC_BLS_DST), secretKey).toBytes();
    return encodeCbor({ tree: tree as never, signature });
  };

  /** What each endpoint answers an authenticated request (interface spec §HTTPS interface). */
  const answer: Record<Endpoint, (requestId: Uint8Array, sender: Principal) => CborValue> = {
    call: (requestId, sender) => {
      const reply = candidText(`Hello, ${sender.toText()}!`);
      const status: HashTree = [1, label('reply', leaf(reply)), label('status', leaf('replied'))];
      return {
        status: 'replied',
        certificate: certificate(label('request_status', label(requestId, status))),
      };
    },
    // Signed by the node whose key the /subnet certificate gives (§Request: Query call).
    query: (requestId, sender) => {
      const reply = { arg: candidText(`Hello, ${sender.toText()}!`) };
      const timestamp = nowNs();
      const hash = hashOfMap({ status: 'replied', reply, timestamp, request_id: requestId });
      const signature = ed25519.sign(withSeparator(IC_RESPONSE, hash), nodeSecret);
      return {
        status: 'replied',
        reply,
        signatures: [{ timestamp, signature, identity: nodeId.toUint8Array() }],
      };
    },
    read_state: () => {
      const node = label(nodeId.toUint8Array(), label('public_key', leaf(nodeKey)));
      return {
        certificate: certificate(
          label('subnet', label(subnetId.toUint8Array(), label('node', node))),
        ),
      };
    },
  };

  const app = express();
  app.disable('x-powered-by');
  // Boundary nodes answer any origin: the app calls from its own.
  app.use((req, res, next) => {
    res.set({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type',
    });
    if (req.method === 'OPTIONS') res.status(204).end();
    else next();
  });
  const paths: Array<[Endpoint, string]> = [
    ['call', '/api/v3/canister/:id/call'],
    ['query', '/api/v2/canister/:id/query'],
    ['read_state', '/api/v2/canister/:id/read_state'],
  ];
  for (const [endpoint, path] of paths) {
    app.post(path, express.raw({ type: 'application/cbor', limit: '64kb' }), (req, res) => {
      void (async () => {
        try {
          const canister = Principal.fromText(String(req.params.id));
          const envelope = asMap(decodeCbor(new Uint8Array(req.body as Buffer)));
          const content = asMap(envelope.content);
          if (content.request_type !== endpoint) throw new TypeError('wrong request_type');
          if (endpoint !== 'read_state') {
            if (content.method_name !== 'whoami') throw new TypeError('only whoami');
            if (!Principal.fromUint8Array(bytes(content.canister_id)).equals(canister)) {
              throw new TypeError('canister_id is not the path');
            }
          }
          const requestId = requestIdOf(content as never);
          const sender = await authenticate(envelope, requestId, canister);
          res
            .type('application/cbor')
            .send(Buffer.from(encodeCbor(answer[endpoint](requestId, sender) as never)));
        } catch (err) {
          const why = isDiscoError(err) ? err.code : err instanceof Error ? err.message : 'bad';
          res.status(400).type('text/plain').send(`invalid request: ${why}`);
        }
      })();
    });
  }
  const server = await listen(app, 0);
  return { url: server.url, rootKey, subnetId: subnetId.toText(), stop: server.close };
}
