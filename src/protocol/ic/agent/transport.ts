import { DiscoError } from '../../errors/index.js';
import type { BlsVerifier } from '../certificate/index.js';
import type { Principal } from '../principal/index.js';
import type { IcIdentity } from './identity.js';

/** The part of `fetch` the agent uses; passed in, never taken from the global. */
export type IcFetch = (
  url: string,
  init: {
    method: 'POST';
    headers: Record<string, string>;
    body: Uint8Array<ArrayBuffer>;
    signal?: AbortSignal;
  },
) => Promise<{ status: number; arrayBuffer(): Promise<ArrayBuffer> }>;

/** Everything a request needs from its host: side effects are parameters. */
export interface AgentContext {
  readonly fetch: IcFetch;
  /** Base URL of a boundary node, e.g. https://icp-api.io (no trailing slash). */
  readonly host: string;
  readonly identity: IcIdentity;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** Waits between polls; a timer by default. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** DER BLS root of trust; the IC mainnet root key by default. */
  readonly rootKey?: Uint8Array;
  readonly blsVerify?: BlsVerifier;
  readonly signal?: AbortSignal;
}

const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** A canister or the system refused the request (interface spec §Reject codes). */
export class IcRejectError extends DiscoError {
  constructor(
    readonly rejectCode: bigint | undefined,
    readonly rejectMessage: string,
    readonly errorCode?: string,
  ) {
    super('ERR_IC_REJECTED', `IC rejected the request (${String(rejectCode)}): ${rejectMessage}`);
  }
}

/** POSTs a CBOR envelope; network faults, 429 and 5xx are ERR_TRANSPORT_FAILED. */
export async function postCbor(
  context: AgentContext,
  path: string,
  body: Uint8Array,
): Promise<{ status: number; body: Uint8Array }> {
  let response;
  try {
    response = await context.fetch(`${context.host}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/cbor' },
      body: Uint8Array.from(body),
      ...(context.signal ? { signal: context.signal } : {}),
    });
  } catch (cause) {
    throw new DiscoError('ERR_TRANSPORT_FAILED', `IC: ${path} unreachable`, { cause });
  }
  if (response.status === 429 || response.status >= 500) {
    throw new DiscoError('ERR_TRANSPORT_FAILED', `IC: ${path} answered ${response.status}`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > MAX_RESPONSE_BYTES)
    throw new DiscoError('ERR_IC_CBOR_LIMIT', 'IC: reply too big');
  if (response.status >= 400) {
    throw new IcRejectError(undefined, new TextDecoder().decode(bytes.subarray(0, 500)));
  }
  return { status: response.status, body: bytes };
}

export const canisterPath = (canisterId: Principal, endpoint: string, version = 'v2') =>
  `/api/${version}/canister/${canisterId.toText()}/${endpoint}`;
