import { registerSW } from 'virtual:pwa-register';

/**
 * Service-worker lifecycle as the person sees it: "ready to work offline", and "update
 * available" with a reload that hands over through workbox-window's SKIP_WAITING handshake.
 */
export class Pwa {
  needRefresh = $state(false);
  offlineReady = $state(false);
  #update: ((reload?: boolean) => Promise<void>) | undefined;

  start(): void {
    if (!('serviceWorker' in navigator)) return;
    this.#update = registerSW({
      immediate: true,
      onNeedRefresh: () => (this.needRefresh = true),
      onOfflineReady: () => (this.offlineReady = true),
    });
  }

  async applyUpdate(): Promise<void> {
    await this.#update?.(true);
  }
}
