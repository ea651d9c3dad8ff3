/**
 * Messages between the page and the service worker: a union tagged by `type`, checked at the
 * boundary (sender origin first, then shape). `SKIP_WAITING` is the name workbox-window sends.
 */
export type PageToWorker = { type: 'SKIP_WAITING' } | { type: 'GET_VERSION' };
export type WorkerToPage = { type: 'VERSION'; version: string };

export function parsePageToWorker(data: unknown): PageToWorker | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const type = (data as { type?: unknown }).type;
  if (type === 'SKIP_WAITING' || type === 'GET_VERSION') return { type };
  return undefined;
}
