/**
 * The device's endpoint paths (stable wire names, DESIGN.md). `disco-configuration` lists
 * exactly the endpoints of `ENDPOINTS`, which are keyed by these names.
 */
export const PATHS = {
  configuration: '/disco/.well-known/disco-configuration',
  register: '/disco/auth/register',
  authorize: '/disco/auth/authorize',
  data: '/disco/data',
  capability_revocations: '/disco/capability/revocations',
} as const;

export type EndpointName = keyof typeof PATHS;
