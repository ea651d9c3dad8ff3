import { DiscoError } from '../../errors/index.js';
import { decodeCbor } from '../cbor/index.js';
import { verifyCertificate, type VerifiedCertificate } from '../certificate/index.js';
import type { Principal } from '../principal/index.js';
import { readStateContent } from './content.js';
import { signEnvelope } from './envelope.js';
import { canisterPath, postCbor, type AgentContext } from './transport.js';

/**
 * read_state at `/api/v2/canister/<id>/read_state` (interface spec §Request: Read state); the
 * certificate is verified (BLS, delegation ranges for `canisterId`, freshness) before return.
 */
export async function readState(
  context: AgentContext,
  canisterId: Principal,
  paths: ReadonlyArray<ReadonlyArray<Uint8Array>>,
): Promise<VerifiedCertificate> {
  if (paths.length > 1000) throw new DiscoError('ERR_INVALID_INPUT', 'read_state: over 1000 paths');
  const content = readStateContent({ sender: context.identity.sender, now: context.now(), paths });
  const { body } = await signEnvelope(content, context.identity);
  const response = await postCbor(context, canisterPath(canisterId, 'read_state'), body);
  const decoded = decodeCbor(response.body);
  const certificate =
    decoded !== null &&
    typeof decoded === 'object' &&
    !Array.isArray(decoded) &&
    !(decoded instanceof Uint8Array)
      ? decoded.certificate
      : undefined;
  if (!(certificate instanceof Uint8Array)) {
    throw new DiscoError('ERR_IC_CERT_MALFORMED', 'read_state: no certificate');
  }
  return verifyCertificate(certificate, {
    canisterId,
    now: context.now(),
    ...(context.rootKey ? { rootKey: context.rootKey } : {}),
    ...(context.blsVerify ? { blsVerify: context.blsVerify } : {}),
  });
}
