import { DiscoError } from '../../errors/index.js';
import { encodeCbor } from '../cbor/index.js';
import { IC_REQUEST, withSeparator } from '../domain_separators.js';
import { requestIdOf, type HashableValue, type RequestId } from '../hash/index.js';
import type { IcIdentity } from './identity.js';

/** The `content` map of a request; `undefined` fields are omitted. */
export type RequestContent = { readonly [key: string]: HashableValue | undefined };

/** An authentication envelope (interface spec §Authentication), CBOR-encoded and its id. */
export interface SignedRequest {
  readonly requestId: RequestId;
  readonly body: Uint8Array;
}

/**
 * Signs `content` for `identity`: `sender_sig` = sign(`\x0Aic-request` · request_id) by the last
 * delegation's key, with `sender_pubkey` and `sender_delegation`; an anonymous sender gets none.
 */
export async function signEnvelope(
  content: RequestContent,
  identity: IcIdentity,
): Promise<SignedRequest> {
  const requestId = requestIdOf(content);
  if (identity.sender.isAnonymous()) {
    return { requestId, body: encodeCbor({ content: content as never }) };
  }
  if (!identity.publicKeyDer || !identity.sign) {
    throw new DiscoError('ERR_INVALID_INPUT', 'envelope: a non-anonymous sender needs a key');
  }
  const senderSig = await identity.sign(withSeparator(IC_REQUEST, requestId));
  const body = encodeCbor({
    content: content as never,
    sender_pubkey: identity.publicKeyDer,
    sender_sig: senderSig,
    sender_delegation: identity.delegation?.toSenderDelegation() as never,
  });
  return { requestId, body };
}
