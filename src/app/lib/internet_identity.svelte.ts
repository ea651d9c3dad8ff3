import { DiscoError } from '../../protocol/errors/index.js';
import type { Device } from './device.svelte.js';
import { explain } from './device.svelte.js';
import {
  DEFAULT_IDENTITY_PROVIDER,
  DEFAULT_MAX_TIME_TO_LIVE_NS,
  PopupSignIn,
  providerUrl,
} from './ii_popup.js';
import {
  acceptDelegation,
  loadSession,
  sessionKeyOf,
  signOut,
  type Session,
} from './ii_session.js';

/** The person's choice of provider, kept next to the session in IndexedDB. */
const SETTINGS = { collection: 'internet_identity', key: 'settings' } as const;

/** The provider the app was deployed with (`/app-config.json` `identityProviderUrl`), if any. */
async function deployedProvider(): Promise<string | undefined> {
  try {
    const res = await fetch('/app-config.json', { cache: 'no-store' });
    const cfg = (await res.json()) as { identityProviderUrl?: unknown };
    return typeof cfg.identityProviderUrl === 'string' ? cfg.identityProviderUrl : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Internet Identity sign-in as the Identity page sees it (issue #9): the popup protocol
 * (`ii_popup.ts`) with the device's Ed25519 identity key as the session key, and the verified,
 * stored chain (`ii_session.ts`).
 */
export class InternetIdentity {
  phase = $state<'loading' | 'ready' | 'failed'>('loading');
  session = $state<Session | undefined>();
  provider = $state(DEFAULT_IDENTITY_PROVIDER);
  /** True while the provider's window is open. */
  waiting = $state(false);
  failure = $state('');
  failureCode = $state('');
  readonly #device: Device;
  readonly #popup = new PopupSignIn({
    open: (url, target, features) => window.open(url, target, features),
    addEventListener: (type, listener) => window.addEventListener(type, listener),
    removeEventListener: (type, listener) => window.removeEventListener(type, listener),
  });
  #sessionKey: Uint8Array | undefined;

  constructor(device: Device) {
    this.#device = device;
  }

  async load(): Promise<void> {
    try {
      const store = this.#device.store;
      const identity = this.#device.identity;
      if (!identity) throw new DiscoError('ERR_IDENTITY_MISSING', 'The device is not set up.');
      this.#sessionKey = await sessionKeyOf(identity.signingJwk);
      const saved = await store.get<{ provider: string }>(SETTINGS.collection, SETTINGS.key);
      this.provider = saved?.provider ?? (await deployedProvider()) ?? DEFAULT_IDENTITY_PROVIDER;
      this.session = await loadSession(store, { sessionKey: this.#sessionKey, now: Date.now() });
      this.phase = 'ready';
    } catch (err) {
      this.#fail(err);
      this.phase = 'failed';
    }
  }

  /** Call from the click handler itself: the popup must open before any `await`. */
  signIn(): void {
    const sessionKey = this.#sessionKey;
    if (!sessionKey) return;
    const again = this.#popup.pending;
    const result = this.#popup.start({
      provider: this.provider,
      sessionPublicKey: sessionKey,
      maxTimeToLive: DEFAULT_MAX_TIME_TO_LIVE_NS,
    });
    // A second click focused the open window; the first click's handler finishes the job.
    if (again) return;
    this.failure = '';
    this.failureCode = '';
    this.waiting = true;
    const provider = new URL(this.provider).origin;
    result
      .then((success) =>
        acceptDelegation(this.#device.store, success, { sessionKey, provider, now: Date.now() }),
      )
      .then((session) => (this.session = session))
      .catch((err: unknown) => this.#fail(err))
      .finally(() => (this.waiting = false));
  }

  async signOut(): Promise<void> {
    await signOut(this.#device.store);
    this.session = undefined;
  }

  /** Checks and keeps the provider address; the current session stays as it is. */
  async setProvider(input: string): Promise<void> {
    const url = providerUrl(input);
    url.hash = '';
    await this.#device.store.write([{ op: 'put', ...SETTINGS, value: { provider: url.href } }]);
    this.provider = url.href;
  }

  #fail(err: unknown): void {
    this.failure = explain(err);
    this.failureCode = err instanceof DiscoError ? err.code : '';
  }
}
