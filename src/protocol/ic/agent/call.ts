import { DiscoError } from '../../errors/index.js';
import { decodeCbor, natOf, type CborValue } from '../cbor/index.js';
import { verifyCertificate } from '../certificate/index.js';
import type { RequestId } from '../hash/index.js';
import type { Principal } from '../principal/index.js';
import { callContent } from './content.js';
import { signEnvelope } from './envelope.js';
import { readState } from './read_state.js';
import { requestStatusOf, type RequestStatus } from './request_status.js';
import { canisterPath, IcRejectError, postCbor, type AgentContext } from './transport.js';

export interface CallOptions {
  readonly canisterId: Principal;
  readonly methodName: string;
  readonly arg: Uint8Array;
  /** Where the request is routed; the canister itself by default. */
  readonly effectiveCanisterId?: Principal;
  /** Give up after this many ms (ERR_TIMEOUT); 5 minutes by default. */
  readonly deadlineMs?: number;
}

const asMap = (value: CborValue): Record<string, CborValue> | undefined =>
  value !== null &&
  typeof value === 'object' &&
  !Array.isArray(value) &&
  !(value instanceof Uint8Array)
    ? value
    : undefined;

function settle(status: RequestStatus): Uint8Array | undefined {
  switch (status.status) {
    case 'replied':
      return status.reply;
    case 'rejected':
      throw new IcRejectError(status.rejectCode, status.rejectMessage, status.errorCode);
    case 'done':
      throw new DiscoError('ERR_IC_REJECTED', 'IC: the call is done and its reply forgotten');
    case 'pending':
      return undefined;
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * An update call: the synchronous v3 endpoint first (interface spec §Request: Call); on 202 or a
 * certificate that is not yet terminal, polls `read_state` of `/request_status/<id>` with
 * backoff (250 ms, ×1.5, at most 5 s) until the deadline. Every certificate is verified.
 */
export async function call(context: AgentContext, options: CallOptions): Promise<Uint8Array> {
  const started = context.now();
  const deadline = started + (options.deadlineMs ?? 5 * 60_000);
  const target = options.effectiveCanisterId ?? options.canisterId;
  const content = callContent({ ...options, sender: context.identity.sender, now: started });
  const { requestId, body } = await signEnvelope(content, context.identity);
  const response = await postCbor(context, canisterPath(target, 'call', 'v3'), body);

  if (response.status === 200 && response.body.length > 0) {
    const reply = asMap(decodeCbor(response.body));
    if (reply?.status === 'non_replicated_rejection') {
      const message = reply.reject_message;
      const errorCode = reply.error_code;
      throw new IcRejectError(
        natOf(reply.reject_code),
        typeof message === 'string' ? message : '',
        typeof errorCode === 'string' ? errorCode : undefined,
      );
    }
    if (!(reply?.certificate instanceof Uint8Array)) {
      throw new DiscoError('ERR_IC_CERT_MALFORMED', 'call: 200 without a certificate');
    }
    const cert = await verifyCertificate(reply.certificate, {
      canisterId: target,
      now: context.now(),
      ...(context.rootKey ? { rootKey: context.rootKey } : {}),
      ...(context.blsVerify ? { blsVerify: context.blsVerify } : {}),
    });
    const settled = settle(requestStatusOf(cert, requestId));
    if (settled) return settled;
  }
  return poll(context, target, requestId, deadline);
}

async function poll(
  context: AgentContext,
  target: Principal,
  requestId: RequestId,
  deadline: number,
): Promise<Uint8Array> {
  const sleep = context.sleep ?? defaultSleep;
  const path = [new TextEncoder().encode('request_status'), requestId];
  let wait = 250;
  for (;;) {
    if (context.now() + wait > deadline) {
      throw new DiscoError('ERR_TIMEOUT', 'call: no reply before the deadline');
    }
    await sleep(wait);
    wait = Math.min(wait * 1.5, 5_000);
    const cert = await readState(context, target, [path]);
    const settled = settle(requestStatusOf(cert, requestId));
    if (settled) return settled;
  }
}
