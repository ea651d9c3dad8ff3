import { hashOfMap, type HashableValue } from './representation_independent_hash.js';

/** A request id: 32 bytes (interface spec §Request ids). */
export type RequestId = Uint8Array & { readonly __requestId?: never };

/**
 * The request id of a request's `content` map: its representation-independent hash
 * (interface spec §Request ids). Omitted optional fields are `undefined` or absent.
 */
export function requestIdOf(content: {
  readonly [key: string]: HashableValue | undefined;
}): RequestId {
  return hashOfMap(content);
}

/** The recommended text form: lower-case hex prefixed with 0x (same section). */
export function requestIdToText(id: RequestId): string {
  return `0x${Array.from(id, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
