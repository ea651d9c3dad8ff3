import { DiscoError } from '../../protocol/errors/index.js';
import type { Device } from './device.svelte.js';
import { explain } from './device.svelte.js';
import {
  DEFAULT_IDENTITY_PROVIDER,
  DEFAULT_MAX_TIME_TO_LIVE_NS,
  PopupSignIn,
  providerUrl,
} from './ii_popup.js';
import type { CallInput } from './ii_call.js';
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
  #result: Promise<unknown> | undefined;

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
    } catch (err) {
      this.#fail(err);
      this.phase = 'failed';
      return;
    }
    try {
      this.session = await loadSession(this.#device.store, {
        sessionKey: this.#sessionKey,
        now: Date.now(),
      });
    } catch (err) {
      // A stored chain that no longer verifies (edited, or for another key) is not used; signing
      // in again replaces it.
      this.#fail(err);
    }
    this.phase = 'ready';
  }

  /** Call from the click handler itself: the popup must open before any `await`. */
  signIn(): void {
    const sessionKey = this.#sessionKey;
    if (!sessionKey) return;
    const provider = this.provider;
    const result = this.#popup.start({
      provider,
      sessionPublicKey: sessionKey,
      maxTimeToLive: DEFAULT_MAX_TIME_TO_LIVE_NS,
    });
    // A second click focused the open window; the first click's handler finishes the job.
    if (result === this.#result) return;
    // Only the latest attempt speaks: a popup closed and opened again leaves an older one behind.
    this.#result = result;
    const latest = () => result === this.#result;
    this.failure = '';
    this.failureCode = '';
    this.waiting = true;
    result
      .then((success) =>
        acceptDelegation(this.#device.store, success, {
          sessionKey,
          provider: providerUrl(provider).origin,
          now: Date.now(),
        }),
      )
      .then(
        (session) => {
          if (latest()) this.session = session;
        },
        (err: unknown) => {
          if (latest()) this.#fail(err);
        },
      )
      .finally(() => {
        if (latest()) this.waiting = false;
      });
  }

  /**
   * A signed call or query as the signed-in principal; the reply is returned only once it
   * verified (`ii_call.ts`).
   */
  async request(kind: 'call' | 'query', input: CallInput): Promise<Uint8Array> {
    const sessionKey = this.#sessionKey;
    if (!sessionKey) throw new DiscoError('ERR_IDENTITY_MISSING', 'The device is not set up.');
    const { requestAsPrincipal, icConfig } = await import('./ii_call.js');
    return requestAsPrincipal(this.#device.store, kind, input, {
      ...(await icConfig()),
      sessionKey,
    });
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
