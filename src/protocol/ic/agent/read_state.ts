import { DiscoError } from '../../errors/index.js';
import { decodeCbor } from '../cbor/index.js';
import {
  verifyCertificate,
  type CertificateScope,
  type VerifiedCertificate,
} from '../certificate/index.js';
import type { Principal } from '../principal/index.js';
import { readStateContent } from './content.js';
import { signEnvelope } from './envelope.js';
import { canisterPath, postCbor, type AgentContext } from './transport.js';

type Paths = ReadonlyArray<ReadonlyArray<Uint8Array>>;

async function readStateAt(
  context: AgentContext,
  url: string,
  scope: CertificateScope,
  paths: Paths,
): Promise<VerifiedCertificate> {
  if (paths.length > 1000) throw new DiscoError('ERR_INVALID_INPUT', 'read_state: over 1000 paths');
  const content = readStateContent({ sender: context.identity.sender, now: context.now(), paths });
  const { body } = await signEnvelope(content, context.identity);
  const response = await postCbor(context, url, body);
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
    ...scope,
    now: context.now(),
    ...(context.rootKey ? { rootKey: context.rootKey } : {}),
    ...(context.blsVerify ? { blsVerify: context.blsVerify } : {}),
  });
}

/**
 * read_state at `/api/v2/canister/<id>/read_state` (interface spec §Request: Read state); the
 * certificate is verified (BLS, the canister inside the delegated subnet's ranges, freshness)
 * before it is returned.
 */
export function readState(
  context: AgentContext,
  canisterId: Principal,
  paths: Paths,
): Promise<VerifiedCertificate> {
  return readStateAt(context, canisterPath(canisterId, 'read_state'), { canisterId }, paths);
}

/**
 * read_state at `/api/v2/subnet/<subnet_id>/read_state` (same section): for `/time` and
 * `/subnet` paths. A delegated certificate must name this subnet.
 */
export function readSubnetState(
  context: AgentContext,
  subnetId: Principal,
  paths: Paths,
): Promise<VerifiedCertificate> {
  const url = `/api/v2/subnet/${subnetId.toText()}/read_state`;
  return readStateAt(context, url, { subnetId }, paths);
}
