import type { Principal } from '../principal/index.js';
import type { RequestContent } from './envelope.js';

/** How far ahead `ingress_expiry` is set: under the IC's 5-minute limit, with room for skew. */
export const INGRESS_EXPIRY_MS = 4 * 60_000;

interface Common {
  readonly sender: Principal;
  /** Milliseconds since the epoch. */
  readonly now: number;
  readonly nonce?: Uint8Array;
}

function common({ sender, now, nonce }: Common) {
  return {
    sender,
    ingress_expiry: BigInt(Math.floor(now + INGRESS_EXPIRY_MS)) * 1_000_000n,
    nonce,
  };
}

/** `call` content (interface spec §Request: Call). */
export function callContent(
  options: Common & { canisterId: Principal; methodName: string; arg: Uint8Array },
): RequestContent {
  return {
    request_type: 'call',
    canister_id: options.canisterId,
    method_name: options.methodName,
    arg: options.arg,
    ...common(options),
  };
}

/** `query` content (interface spec §Request: Query call). */
export function queryContent(
  options: Common & { canisterId: Principal; methodName: string; arg: Uint8Array },
): RequestContent {
  return { ...callContent(options), request_type: 'query' };
}

/** `read_state` content (interface spec §Request: Read state): at most 1000 paths. */
export function readStateContent(
  options: Common & { paths: ReadonlyArray<ReadonlyArray<Uint8Array>> },
): RequestContent {
  return { request_type: 'read_state', paths: options.paths, ...common(options) };
}
