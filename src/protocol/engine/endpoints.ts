import { authorize, data, register } from '../auth/endpoints.js';
import { loadContext } from '../auth/load_context.js';
import type { AuthContext } from '../auth/context.js';
import { discoConfiguration } from './disco_configuration.js';
import { PATHS, type EndpointName } from './paths.js';
import type { Endpoint, EngineRequest, EngineResponse } from './types.js';

const withAuth =
  (fn: (req: EngineRequest, ctx: AuthContext) => Promise<EngineResponse>): Endpoint =>
  async (req, deps) =>
    fn(req, await loadContext(deps));

/** The table of the device's endpoints: which methods each path answers, and with what. */
export const ENDPOINTS: Record<EndpointName, Readonly<Record<string, Endpoint>>> = {
  configuration: { GET: discoConfiguration },
  register: { POST: withAuth(register) },
  authorize: { POST: withAuth(authorize) },
  data: { POST: withAuth(data) },
};

export function findEndpoint(path: string): Readonly<Record<string, Endpoint>> | undefined {
  const name = (Object.keys(PATHS) as EndpointName[]).find((n) => PATHS[n] === path);
  return name ? ENDPOINTS[name] : undefined;
}
