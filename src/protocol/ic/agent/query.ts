import { DiscoError } from '../../errors/index.js';
import { decodeCbor, natOf, type CborValue } from '../cbor/index.js';
import { IC_RESPONSE, withSeparator } from '../domain_separators.js';
import { hashOfMap, type RequestId } from '../hash/index.js';
import { parsePublicKey, verifySignature } from '../keys/index.js';
import { Principal } from '../principal/index.js';
import { queryContent } from './content.js';
import { signEnvelope } from './envelope.js';
import { canisterPath, IcRejectError, postCbor, type AgentContext } from './transport.js';

export interface QueryOptions {
  readonly canisterId: Principal;
  readonly methodName: string;
  readonly arg: Uint8Array;
  readonly effectiveCanisterId?: Principal;
  /**
   * The subnet's node keys (node principal text → DER), read from a verified certificate of
   * `/subnet/<id>/node`; with them, every node signature on the reply is checked.
   */
  readonly nodeKeys?: ReadonlyMap<string, Uint8Array>;
  /** Oldest acceptable signature timestamp in ms before now; 5 minutes by default. */
  readonly maxSignatureAgeMs?: number;
}

type CborMap = Record<string, CborValue>;
const asMap = (value: CborValue | undefined): CborMap | undefined =>
  value !== null &&
  typeof value === 'object' &&
  !Array.isArray(value) &&
  !(value instanceof Uint8Array)
    ? value
    : undefined;

const untrusted = (why: string) => new DiscoError('ERR_RESPONSE_UNTRUSTED', `query: ${why}`);

/** The map a node signs (interface spec §Request: Query call, `verify_response`). */
function signedMap(reply: CborMap, timestamp: bigint, requestId: RequestId) {
  const replied = reply.status === 'replied';
  const map = replied
    ? { status: 'replied', reply: reply.reply as never }
    : {
        status: 'rejected',
        reject_code: natOf(reply.reject_code),
        reject_message: reply.reject_message as never,
        error_code: reply.error_code as never,
      };
  return hashOfMap({ ...map, timestamp, request_id: requestId });
}

async function checkSignatures(
  reply: CborMap,
  requestId: RequestId,
  options: QueryOptions,
  now: number,
) {
  const keys = options.nodeKeys;
  if (!keys) return;
  const signatures = reply.signatures;
  if (!Array.isArray(signatures) || signatures.length === 0) throw untrusted('no node signatures');
  for (const entry of signatures) {
    const signature = asMap(entry);
    const timestamp = natOf(signature?.timestamp);
    const sig = signature?.signature;
    const identity = signature?.identity;
    if (
      timestamp === undefined ||
      !(sig instanceof Uint8Array) ||
      !(identity instanceof Uint8Array)
    ) {
      throw untrusted('malformed node signature');
    }
    const maxAge = BigInt(options.maxSignatureAgeMs ?? 5 * 60_000) * 1_000_000n;
    if (timestamp < BigInt(Math.floor(now)) * 1_000_000n - maxAge)
      throw untrusted('stale signature');
    const der = keys.get(Principal.fromUint8Array(identity).toText());
    if (!der) throw untrusted('signature by a node outside the subnet');
    const payload = withSeparator(IC_RESPONSE, signedMap(reply, timestamp, requestId));
    if (!(await verifySignature(parsePublicKey(der), payload, sig)))
      throw untrusted('bad node signature');
  }
}

/**
 * A query call (interface spec §Request: Query call). Returns the reply's `arg`; a reject is an
 * IcRejectError. Node signatures are checked when `nodeKeys` is given.
 */
export async function query(context: AgentContext, options: QueryOptions): Promise<Uint8Array> {
  const now = context.now();
  const content = queryContent({ ...options, sender: context.identity.sender, now });
  const { requestId, body } = await signEnvelope(content, context.identity);
  const target = options.effectiveCanisterId ?? options.canisterId;
  const response = await postCbor(context, canisterPath(target, 'query'), body);
  const reply = asMap(decodeCbor(response.body));
  if (!reply) throw untrusted('reply is not a map');
  await checkSignatures(reply, requestId, options, now);
  if (reply.status === 'replied') {
    const arg = asMap(reply.reply)?.arg;
    if (!(arg instanceof Uint8Array)) throw untrusted('reply without arg');
    return arg;
  }
  if (reply.status === 'rejected') {
    const message = reply.reject_message;
    const errorCode = reply.error_code;
    throw new IcRejectError(
      natOf(reply.reject_code),
      typeof message === 'string' ? message : '',
      typeof errorCode === 'string' ? errorCode : undefined,
    );
  }
  throw untrusted('unknown status');
}
