import { DiscoError } from '../../protocol/errors/index.js';

/**
 * Internet Identity's client authentication protocol, the relying party's side (II spec "Client
 * authentication protocol"; agent-js auth-client ≤ 4.x): the provider's page opens in a popup,
 * says `authorize-ready`, receives `authorize-client` and answers `authorize-client-success` or
 * `authorize-client-failure`. Every message must come from the provider's exact origin AND from
 * the popup's window (ICRC-29 asks for both; auth-client checks only the origin); anything else
 * is ignored. No DOM here beyond the injected `PopupHost`, so the flow runs under Vitest.
 */

/** Internet Identity on mainnet, as agent-js 3.x defaults to. */
export const DEFAULT_IDENTITY_PROVIDER = 'https://identity.internetcomputer.org';
/** 8 hours in nanoseconds: auth-client's default `maxTimeToLive` (II allows up to 30 days). */
export const DEFAULT_MAX_TIME_TO_LIVE_NS = 8n * 3600n * 1_000_000_000n;
/** How long the person has to finish in the popup. */
export const SIGN_IN_TIMEOUT_MS = 5 * 60_000;
/** auth-client polls `closed` every 500 ms; so do we. */
export const CLOSED_POLL_MS = 500;

const MAX_LINKS = 20;
const MAX_TARGETS = 1000;
/** A canister signature (certificate with its subnet delegation and a tree) is a few KB. */
const MAX_BLOB = 64 * 1024;
const MAX_TEXT = 1000;

export interface WireDelegation {
  readonly delegation: {
    readonly pubkey: Uint8Array;
    readonly expiration: bigint;
    /** Principal bytes. */
    readonly targets?: readonly Uint8Array[];
  };
  readonly signature: Uint8Array;
}

export type ProviderMessage =
  | { readonly kind: 'authorize-ready' }
  | {
      readonly kind: 'authorize-client-success';
      readonly delegations: readonly WireDelegation[];
      readonly userPublicKey: Uint8Array;
      readonly authnMethod?: string;
    }
  | { readonly kind: 'authorize-client-failure'; readonly text: string };

export type AuthorizeSuccess = Extract<ProviderMessage, { kind: 'authorize-client-success' }>;

const malformed = (why: string) =>
  new DiscoError('ERR_II_MESSAGE_MALFORMED', `The identity provider sent a bad message: ${why}.`);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function blob(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw malformed(`${what} is not bytes`);
  if (value.length === 0 || value.length > MAX_BLOB) throw malformed(`${what} has a bad length`);
  return Uint8Array.from(value);
}

/** agent-js posts `Principal` objects, which arrive structured-cloned as `{ _arr }`. */
function principalBytes(value: unknown): Uint8Array {
  const bytes = isRecord(value) ? value._arr : value;
  if (!(bytes instanceof Uint8Array) || bytes.length > 29)
    throw malformed('a target is not a principal');
  return Uint8Array.from(bytes);
}

function link(value: unknown): WireDelegation {
  if (!isRecord(value) || !isRecord(value.delegation))
    throw malformed('a delegation is not an object');
  const { pubkey, expiration, targets } = value.delegation;
  if (typeof expiration !== 'bigint' || expiration < 0n || expiration >= 1n << 64n) {
    throw malformed('an expiration is not a 64-bit nat');
  }
  if (targets !== undefined && (!Array.isArray(targets) || targets.length > MAX_TARGETS)) {
    throw malformed('targets is not a list');
  }
  return {
    delegation: {
      pubkey: blob(pubkey, 'pubkey'),
      expiration,
      ...(targets ? { targets: targets.map(principalBytes) } : {}),
    },
    signature: blob(value.signature, 'signature'),
  };
}

/**
 * Reads one message from the provider as the protocol's tagged union; anything else, an unknown
 * `kind` included, is `ERR_II_MESSAGE_MALFORMED`. Extra fields are dropped.
 */
export function parseProviderMessage(data: unknown): ProviderMessage {
  if (!isRecord(data) || typeof data.kind !== 'string') throw malformed('no kind');
  switch (data.kind) {
    case 'authorize-ready':
      return { kind: 'authorize-ready' };
    case 'authorize-client-success': {
      const { delegations, authnMethod } = data;
      if (!Array.isArray(delegations) || delegations.length === 0)
        throw malformed('no delegations');
      if (delegations.length > MAX_LINKS) throw malformed('more than 20 delegations');
      if (authnMethod !== undefined && typeof authnMethod !== 'string') {
        throw malformed('authnMethod is not text');
      }
      return {
        kind: 'authorize-client-success',
        delegations: delegations.map(link),
        userPublicKey: blob(data.userPublicKey, 'userPublicKey'),
        ...(authnMethod !== undefined ? { authnMethod: authnMethod.slice(0, 40) } : {}),
      };
    }
    case 'authorize-client-failure':
      if (typeof data.text !== 'string') throw malformed('the failure has no text');
      return { kind: 'authorize-client-failure', text: data.text.slice(0, MAX_TEXT) };
    default:
      throw malformed('unknown kind');
  }
}

/**
 * The provider's page as a URL ending in `#authorize`. Only https, or http on this machine
 * (the test provider), since the provider's origin decides who the person is.
 */
export function providerUrl(input: string): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new DiscoError('ERR_INVALID_INPUT', 'The identity provider address is not a URL.');
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new DiscoError('ERR_INVALID_INPUT', 'The identity provider address must be https.');
  }
  if (url.username || url.password) {
    throw new DiscoError('ERR_INVALID_INPUT', 'The identity provider address has credentials.');
  }
  url.hash = '#authorize';
  return url;
}

/** The popup as the opener sees it (a `WindowProxy`). */
export interface PopupWindow {
  readonly closed: boolean;
  postMessage(message: unknown, targetOrigin: string): void;
  close(): void;
  focus(): void;
}

/** The opener's window, injected so tests can drive the flow. */
export interface PopupHost {
  open(url: string, target: string, features: string): PopupWindow | null;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

export interface AuthorizeRequest {
  readonly provider: string;
  /** DER SubjectPublicKeyInfo of the session key. */
  readonly sessionPublicKey: Uint8Array;
  readonly maxTimeToLive: bigint;
  readonly derivationOrigin?: string;
  readonly timeoutMs?: number;
}

const FEATURES = 'toolbar=0,location=0,menubar=0,width=500,height=705';

/**
 * One sign-in popup at a time. `start` opens the popup before it returns (so it must be called
 * synchronously in the click handler, or the browser blocks it); a second `start` while the
 * popup is open focuses it and returns the same promise.
 */
export class PopupSignIn {
  readonly #host: PopupHost;
  #current: { popup: PopupWindow; result: Promise<AuthorizeSuccess> } | undefined;

  constructor(host: PopupHost) {
    this.#host = host;
  }

  get pending(): boolean {
    return this.#current !== undefined;
  }

  start(request: AuthorizeRequest): Promise<AuthorizeSuccess> {
    if (this.#current && !this.#current.popup.closed) {
      this.#current.popup.focus();
      return this.#current.result;
    }
    let url: URL;
    try {
      url = providerUrl(request.provider);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const popup = this.#host.open(url.href, 'idpWindow', FEATURES);
    if (!popup) {
      return Promise.reject(
        new DiscoError('ERR_II_POPUP_BLOCKED', 'The browser blocked the sign-in window.'),
      );
    }
    const result = this.#run(popup, url.origin, request);
    this.#current = { popup, result };
    const clear = () => {
      if (this.#current?.popup === popup) this.#current = undefined;
    };
    result.then(clear, clear);
    return result;
  }

  #run(popup: PopupWindow, origin: string, request: AuthorizeRequest): Promise<AuthorizeSuccess> {
    const host = this.#host;
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (err: DiscoError | undefined, value?: AuthorizeSuccess) => {
        if (done) return;
        done = true;
        host.removeEventListener('message', onMessage);
        clearInterval(poll);
        clearTimeout(timer);
        if (!popup.closed) popup.close();
        if (err) reject(err);
        else resolve(value!);
      };
      const onMessage = (event: MessageEvent) => {
        // Not from the popup at the provider's origin: someone else's message, never ours.
        if (event.origin !== origin || event.source !== popup) return;
        let message: ProviderMessage;
        try {
          message = parseProviderMessage(event.data);
        } catch (err) {
          finish(err as DiscoError);
          return;
        }
        if (message.kind === 'authorize-ready') {
          popup.postMessage(
            {
              kind: 'authorize-client',
              sessionPublicKey: request.sessionPublicKey,
              maxTimeToLive: request.maxTimeToLive,
              ...(request.derivationOrigin ? { derivationOrigin: request.derivationOrigin } : {}),
            },
            origin,
          );
        } else if (message.kind === 'authorize-client-success') {
          finish(undefined, message);
        } else {
          finish(
            new DiscoError('ERR_II_REFUSED', `The identity provider said: ${message.text || '—'}`),
          );
        }
      };
      host.addEventListener('message', onMessage);
      const poll = setInterval(() => {
        if (popup.closed) {
          finish(
            new DiscoError('ERR_II_POPUP_CLOSED', 'The sign-in window was closed before the end.'),
          );
        }
      }, CLOSED_POLL_MS);
      const timer = setTimeout(
        () => finish(new DiscoError('ERR_II_TIMEOUT', 'The sign-in took too long.')),
        request.timeoutMs ?? SIGN_IN_TIMEOUT_MS,
      );
    });
  }
}
