import { DiscoError } from '../../errors/index.js';
import { subnetNodeKeys } from '../certificate/index.js';
import type { Principal } from '../principal/index.js';
import { readState } from './read_state.js';
import type { AgentContext } from './transport.js';

/**
 * The node keys of the subnet hosting `canisterId`, for `query`'s `nodeKeys`: a verified
 * read_state of `/subnet` (interface spec §Request: Query call, `verify_response`). The subnet is
 * the one the certificate's delegation names; a root-subnet certificate has none, so its id must
 * be given (`rootSubnetId`).
 */
export async function readSubnetNodeKeys(
  context: AgentContext,
  canisterId: Principal,
  rootSubnetId?: Principal,
): Promise<Map<string, Uint8Array>> {
  const cert = await readState(context, canisterId, [[new TextEncoder().encode('subnet')]]);
  const subnetId = cert.subnetId ?? rootSubnetId;
  if (!subnetId) {
    throw new DiscoError('ERR_IC_CERT_DELEGATION_INVALID', 'node keys: root subnet id unknown');
  }
  return subnetNodeKeys(cert, subnetId);
}
