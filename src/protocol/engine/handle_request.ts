import { DiscoError, toWire } from '../errors/index.js';
import { findEndpoint } from './endpoints.js';
import { json, type EngineDeps, type EngineRequest, type EngineResponse } from './types.js';

export const MAX_BODY_BYTES = 256 * 1024;

/**
 * Routes one request to its endpoint and turns every failure into an OAuth-style error answer
 * (the one place: `toWire`). Never throws.
 */
export async function handleRequest(req: EngineRequest, deps: EngineDeps): Promise<EngineResponse> {
  try {
    const path = req.path.split('?')[0] ?? '';
    const methods = findEndpoint(path);
    if (!methods) throw new DiscoError('ERR_NOT_FOUND', `No endpoint at ${path}.`);
    const endpoint = methods[req.method.toUpperCase()];
    if (!endpoint) {
      const res = toWire(
        new DiscoError('ERR_METHOD_NOT_ALLOWED', `${req.method} is not allowed here.`),
      );
      const out = json(res.status, res.body);
      out.headers.allow = Object.keys(methods).join(', ');
      return out;
    }
    if (req.body && req.body.byteLength > MAX_BODY_BYTES) {
      throw new DiscoError(
        'ERR_TOO_LARGE',
        `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`,
      );
    }
    return await endpoint(req, deps);
  } catch (err) {
    const res = toWire(err);
    return json(res.status, res.body);
  }
}
