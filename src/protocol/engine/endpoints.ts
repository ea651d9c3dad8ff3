import { authorize, loadContext, register, release, type AuthContext } from '../auth/index.js';
import { PATHS, type EndpointName } from '../messages/paths.js';
import { discoConfiguration } from './disco_configuration.js';
import { capabilityRevocations } from '../certificates/device/revocations_endpoint.js';
import type { Endpoint, EngineResponse } from './types.js';

/** An authorization operation takes the request body only: the router has named the endpoint. */
const withAuth =
  (op: (body: Uint8Array | undefined, ctx: AuthContext) => Promise<EngineResponse>): Endpoint =>
  async (req, deps) =>
    op(req.body, await loadContext(deps));

/**
 * The router's table: which methods each path answers, and with what. This is the one place a
 * request is routed; the operations below (src/protocol/auth/) never look at the path.
 */
export const ENDPOINTS: Record<EndpointName, Readonly<Record<string, Endpoint>>> = {
  configuration: { GET: discoConfiguration },
  register: { POST: withAuth(register) },
  authorize: { POST: withAuth(authorize) },
  data: { POST: withAuth(release) },
  capability_revocations: { GET: capabilityRevocations },
};

export function findEndpoint(path: string): Readonly<Record<string, Endpoint>> | undefined {
  const name = (Object.keys(PATHS) as EndpointName[]).find((n) => PATHS[n] === path);
  return name ? ENDPOINTS[name] : undefined;
}
