/**
 * Messages between the page and the service worker: unions tagged by `type`, checked at the
 * boundary (sender origin first, then shape). `SKIP_WAITING` is the name workbox-window sends.
 * Answers go back on the port the message carried (`event.ports[0]`).
 */
export type PageToWorker =
  | { type: 'SKIP_WAITING' }
  /**
   * To the active worker, when the person applies an update: hold no more polls, so it goes idle
   * and the new worker can take over (Chromium waits until the old one has nothing in flight).
   */
  | { type: 'UPDATING' }
  | { type: 'GET_VERSION' }
  /** Does this worker answer ENGINE_REQUEST? (An older one stays silent: the page then fetches.) */
  | { type: 'ENGINE_HELLO' }
  /** A request for the engine that came through the relay's tunnel (src/app/lib/worker_engine.ts). */
  | { type: 'ENGINE_REQUEST'; request: EngineRequestMessage };
export type WorkerToPage =
  | { type: 'VERSION'; version: string }
  /** A consent request arrived, changed or went, or a rule answered one: pages read their records again. */
  | { type: 'PENDING_CHANGED'; id: string }
  | { type: 'ENGINE_READY' }
  /** Every 2 s while an engine request runs (a held poll): the worker is alive and busy with it. */
  | { type: 'ENGINE_WORKING' }
  | { type: 'ENGINE_RESPONSE'; status: number; headers: Record<string, string>; body: string };

/** A tunnelled request as the page hands it over: the body's bytes are transferred, not copied. */
export interface EngineRequestMessage {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: ArrayBuffer;
}

/** Larger bodies are refused by the engine anyway (MAX_BODY_BYTES, 256 KiB): keep none past 1 MiB. */
const MAX_MESSAGE_BODY = 1024 * 1024;
const MAX_PATH = 2048;
const MAX_HEADERS = 64;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function stringRecord(v: unknown, max: number): Record<string, string> | undefined {
  if (!isObject(v)) return undefined;
  const entries = Object.entries(v);
  if (entries.length > max || entries.some(([, x]) => typeof x !== 'string' || x.length > 8192))
    return undefined;
  return Object.fromEntries(entries) as Record<string, string>;
}

/** A path under /disco/ already in its normal form (no dot segments, no backslashes, no host). */
function isEnginePath(path: string): boolean {
  try {
    const url = new URL(path, 'https://device.invalid');
    return (
      url.origin === 'https://device.invalid' &&
      url.pathname.startsWith('/disco/') &&
      url.pathname + url.search === path
    );
  } catch {
    return false;
  }
}

function engineRequest(v: unknown): EngineRequestMessage | undefined {
  if (!isObject(v)) return undefined;
  const { method, path, headers, body } = v;
  if (typeof method !== 'string' || !METHODS.has(method)) return undefined;
  if (typeof path !== 'string' || path.length > MAX_PATH || !isEnginePath(path)) return undefined;
  const h = stringRecord(headers, MAX_HEADERS);
  if (!h) return undefined;
  if (body === undefined) return { method, path, headers: h };
  if (!(body instanceof ArrayBuffer) || body.byteLength > MAX_MESSAGE_BODY) return undefined;
  return { method, path, headers: h, body };
}

export function parsePageToWorker(data: unknown): PageToWorker | undefined {
  if (!isObject(data)) return undefined;
  const type = data.type;
  if (
    type === 'SKIP_WAITING' ||
    type === 'UPDATING' ||
    type === 'GET_VERSION' ||
    type === 'ENGINE_HELLO'
  )
    return { type };
  if (type === 'ENGINE_REQUEST') {
    const request = engineRequest(data.request);
    return request && { type, request };
  }
  return undefined;
}

export function parseWorkerToPage(data: unknown): WorkerToPage | undefined {
  if (!isObject(data)) return undefined;
  const d = data;
  if (d.type === 'PENDING_CHANGED' && typeof d.id === 'string') return { type: d.type, id: d.id };
  if (d.type === 'VERSION' && typeof d.version === 'string')
    return { type: d.type, version: d.version };
  if (d.type === 'ENGINE_READY' || d.type === 'ENGINE_WORKING') return { type: d.type };
  if (d.type === 'ENGINE_RESPONSE') {
    const headers = stringRecord(d.headers, MAX_HEADERS);
    if (
      typeof d.status === 'number' &&
      Number.isInteger(d.status) &&
      d.status >= 100 &&
      d.status <= 599 &&
      headers &&
      typeof d.body === 'string'
    )
      return { type: d.type, status: d.status, headers, body: d.body };
  }
  return undefined;
}
