import {
  MAX_BODY_BYTES,
  type EngineRequest,
  type EngineResponse,
} from '../src/protocol/engine/index.js';
import type { EngineRequestMessage } from '../src/browser/messages.js';

/** Fetch API Request → EngineRequest; bodies over the engine's limit are cut one byte past it. */
export async function engineRequestFrom(request: Request): Promise<EngineRequest> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => (headers[name] = value));
  const req: EngineRequest = { method: request.method, path: url.pathname + url.search, headers };
  if (request.body) {
    const body = new Uint8Array(await request.arrayBuffer());
    req.body = body.byteLength > MAX_BODY_BYTES ? body.subarray(0, MAX_BODY_BYTES + 1) : body;
  }
  return req;
}

/** A tunnelled request the page handed over (already checked by parsePageToWorker). */
export function engineRequestFromMessage(m: EngineRequestMessage): EngineRequest {
  const req: EngineRequest = { method: m.method, path: m.path, headers: m.headers };
  if (m.body) {
    const body = new Uint8Array(m.body);
    req.body = body.byteLength > MAX_BODY_BYTES ? body.subarray(0, MAX_BODY_BYTES + 1) : body;
  }
  return req;
}

export function responseFrom(res: EngineResponse): Response {
  return new Response(res.body, { status: res.status, headers: res.headers });
}
