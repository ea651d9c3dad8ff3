import type { Answer, HostDeps } from '../auth/index.js';

/**
 * A request to the device's `/disco/…` endpoints, independent of where it came from: the one
 * request shape from the tunnel (`TunnelRequest` is this type) or the service worker's fetch
 * handler to the engine.
 */
export interface EngineRequest {
  method: string;
  /** Path and query, e.g. `/disco/auth/authorize?x=1`; always under `/disco/`. */
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

/** An endpoint's answer (src/protocol/auth/answers.ts, where the operations make them). */
export type EngineResponse = Answer;

/** The side effects an endpoint may use (src/protocol/auth/context.ts). */
export type EngineDeps = HostDeps;

export type Endpoint = (req: EngineRequest, deps: EngineDeps) => Promise<EngineResponse>;

export { json } from '../auth/index.js';
