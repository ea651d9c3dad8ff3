export { handleRequest, MAX_BODY_BYTES } from './handle_request.js';
export { ENDPOINTS } from './endpoints.js';
export { PATHS } from '../messages/paths.js';
export type { EngineDeps, EngineRequest, EngineResponse, Endpoint } from './types.js';
