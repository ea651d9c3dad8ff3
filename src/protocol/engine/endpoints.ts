import { discoConfiguration } from './disco_configuration.js';
import { PATHS, type EndpointName } from './paths.js';
import type { Endpoint } from './types.js';

/** The table of the device's endpoints: which methods each path answers, and with what. */
export const ENDPOINTS: Record<EndpointName, Readonly<Record<string, Endpoint>>> = {
  configuration: { GET: discoConfiguration },
};

export function findEndpoint(path: string): Readonly<Record<string, Endpoint>> | undefined {
  const name = (Object.keys(PATHS) as EndpointName[]).find((n) => PATHS[n] === path);
  return name ? ENDPOINTS[name] : undefined;
}
