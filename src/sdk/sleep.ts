import { DiscoError } from '../protocol/errors/index.js';

/** Waits `ms`; rejects with ERR_ABORTED as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DiscoError('ERR_ABORTED', 'Cancelled.'));
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(new DiscoError('ERR_ABORTED', 'Cancelled.'));
      },
      { once: true },
    );
  });
}
