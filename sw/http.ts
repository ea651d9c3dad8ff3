import {
  MAX_BODY_BYTES,
  type EngineRequest,
  type EngineResponse,
} from '../src/protocol/engine/index.js';

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

export function responseFrom(res: EngineResponse): Response {
  return new Response(res.body, { status: res.status, headers: res.headers });
}
