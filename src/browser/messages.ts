/**
 * Messages between the page and the service worker: unions tagged by `type`, checked at the
 * boundary (sender origin first, then shape). `SKIP_WAITING` is the name workbox-window sends.
 */
export type PageToWorker = { type: 'SKIP_WAITING' } | { type: 'GET_VERSION' };
export type WorkerToPage =
  | { type: 'VERSION'; version: string }
  /** A consent request arrived or changed: the inbox reloads from IndexedDB. */
  | { type: 'PENDING_CHANGED'; id: string };

export function parsePageToWorker(data: unknown): PageToWorker | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const type = (data as { type?: unknown }).type;
  if (type === 'SKIP_WAITING' || type === 'GET_VERSION') return { type };
  return undefined;
}

export function parseWorkerToPage(data: unknown): WorkerToPage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as { type?: unknown; id?: unknown; version?: unknown };
  if (d.type === 'PENDING_CHANGED' && typeof d.id === 'string') return { type: d.type, id: d.id };
  if (d.type === 'VERSION' && typeof d.version === 'string')
    return { type: d.type, version: d.version };
  return undefined;
}
