import type { PageToWorker } from '../../browser/messages.js';
import { registerSW } from 'virtual:pwa-register';

/**
 * Service-worker lifecycle as the person sees it: "ready to work offline", and "update
 * available" with a reload that hands over through workbox-window's SKIP_WAITING handshake.
 */
export class Pwa {
  needRefresh = $state(false);
  offlineReady = $state(false);
  #update: ((reload?: boolean) => Promise<void>) | undefined;

  /** Whether a banner is on screen: the page keeps room for it at its end. */
  get bannerShown(): boolean {
    return this.needRefresh || this.offlineReady;
  }

  start(): void {
    if (!('serviceWorker' in navigator)) return;
    this.#update = registerSW({
      immediate: true,
      onNeedRefresh: () => (this.needRefresh = true),
      onOfflineReady: () => (this.offlineReady = true),
    });
  }

  /**
   * Asks the waiting worker to take over (SKIP_WAITING), then reloads once it controls the page.
   * The reload is ours rather than workbox-window's, which skips it when the page had no
   * controller at registration (an update found in the same visit as the first install).
   */
  async applyUpdate(): Promise<void> {
    navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), {
      once: true,
    });
    // The new worker takes over only once the old one has nothing in flight, and companies'
    // held polls would keep it busy for minutes: ask it to answer them now (sw/sw.ts).
    const updating: PageToWorker = { type: 'UPDATING' };
    navigator.serviceWorker.controller?.postMessage(updating);
    await this.#update?.(false);
  }
}
