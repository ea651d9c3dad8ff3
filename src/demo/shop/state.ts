import {
  fingerprintOf,
  type DiscoClient,
  type VerifiedDeviceCertificate,
} from '../../sdk/index.js';
import type { Problem } from '../common/explain.js';
import type { CourierProgress } from './courier_api.js';

export type ShopStep =
  | 'idle'
  | 'pairing'
  | 'registering'
  | 'authorizing'
  | 'connected'
  | 'asking_key_b'
  | 'handing_over'
  | 'shipped';

/** `GET /api/state` (and the 202 answers of connect and ship): docs/demo.md. */
export interface ShopState {
  /**
   * The session's change counter: pass it back as `?since=` to wait for the next change. Null
   * without a session (nothing to wait for: the page asks again in a second).
   */
  version: number | null;
  step: ShopStep;
  /** One sentence for the page's status line: what happens, or what the person should do. */
  status: string;
  /** True while the shop waits for the device or the person. */
  waiting: boolean;
  shop: { name: string; fingerprint: string };
  /** `expires_at`: milliseconds since the epoch. */
  pairing: { uid: string; qr_image: string; expires_at: number } | null;
  /**
   * `certificate`: the device certificate the SDK verified at pairing (nodetrust), or null;
   * `certified`: the line the page shows about it.
   */
  device: {
    fingerprint: string;
    certificate: { name: string; issuer: string; not_after: number } | null;
    certified: string;
  } | null;
  courier: { name: string; fingerprint: string } | null;
  /** `progress`: whether the courier has the address yet (`waiting`, `ready`, `failed`). */
  delivery: { id: string; courier_url: string; progress: CourierProgress } | null;
  error: Problem | null;
}

/** What connecting leaves for shipping: the client, key A, and the way to the device. */
export interface Link {
  client: DiscoClient;
  keyA: string;
  deviceId: string;
  proxyUrl: string;
  /** The device certificate verified at pairing, or null: not certified. */
  certificate: VerifiedDeviceCertificate | null;
}

/** Requests `GET /api/state?since=` may hold at once per session. */
const MAX_HELD = 8;

/** One browser session's place in the flow. */
export class ShopSession {
  flow: AbortController | undefined;
  #step: ShopStep = 'idle';
  #pairing: { uid: string; qrImage: string; expiresAt: number } | undefined;
  #link: Link | undefined;
  #registered = false;
  #courier: { name: string; fingerprint: string } | undefined;
  #delivery: { id: string; courierUrl: string; progress: CourierProgress } | undefined;
  #problem: Problem | undefined;
  /** Grows with every change the page can see: `GET /api/state?since=` waits for it to move. */
  version = 0;
  #waiters = new Set<() => void>();

  get step() {
    return this.#step;
  }
  set step(v) {
    this.#step = v;
    this.#changed();
  }
  get pairing() {
    return this.#pairing;
  }
  set pairing(v) {
    this.#pairing = v;
    this.#changed();
  }
  get link() {
    return this.#link;
  }
  set link(v) {
    this.#link = v;
    this.#changed();
  }
  /** The device has this shop as a client (registered), with or without key A. */
  get registered() {
    return this.#registered;
  }
  set registered(v) {
    this.#registered = v;
    this.#changed();
  }
  get courier() {
    return this.#courier;
  }
  set courier(v) {
    this.#courier = v;
    this.#changed();
  }
  /** Replaced whole (not edited in place), so that a change of `progress` is seen. */
  get delivery():
    Readonly<{ id: string; courierUrl: string; progress: CourierProgress }> | undefined {
    return this.#delivery;
  }
  set delivery(v) {
    this.#delivery = v && { ...v };
    this.#changed();
  }
  get problem() {
    return this.#problem;
  }
  set problem(v) {
    this.#problem = v;
    this.#changed();
  }

  #changed() {
    this.version++;
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }

  /**
   * Resolves once `version` is no longer `since`, after `ms`, or when `signal` aborts (the page
   * went away): a held `GET /api/state` that answers as soon as the flow moves.
   */
  changedSince(since: number, ms: number, signal: AbortSignal): Promise<void> {
    // A page holds one request at a time; more than a few held at once (many tabs, or a script)
    // are answered at once rather than kept.
    if (since !== this.version || signal.aborted || this.#waiters.size >= MAX_HELD) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.#waiters.add(done);
    });
  }

  /** Cancels whatever this session waited for and starts a new flow. */
  begin(): AbortSignal {
    this.flow?.abort();
    this.flow = new AbortController();
    return this.flow.signal;
  }

  dispose(): void {
    this.flow?.abort();
    this.flow = undefined;
  }
}

const WAITING: readonly ShopStep[] = [
  'pairing',
  'registering',
  'authorizing',
  'asking_key_b',
  'handing_over',
];

function status(s: ShopSession, name: string): string {
  const courier = s.courier?.name ?? 'the courier';
  switch (s.step) {
    case 'idle':
      // As the device's Connections page has it: connected, but without permission to ask.
      if (s.registered)
        return `Your Disco device lists ${name} as connected, but ${name} may not ask for your address. Connect again to be asked again.`;
      return s.problem ? 'Not connected.' : 'Not connected yet.';
    case 'pairing':
      return 'Waiting for you to enter the code on your Disco device.';
    case 'registering':
      return `Approve ${name} on your Disco device: it asks to connect.`;
    case 'authorizing':
      return `Approve on your Disco device: ${name} asks to be allowed to ask for your address.`;
    case 'connected':
      return 'Connected to your Disco device. Your order is ready to ship.';
    case 'asking_key_b':
      return `Approve on your Disco device: ${name} asks to let ${courier} have your address.`;
    case 'handing_over':
      return `Handing your order to ${courier}…`;
    case 'shipped': {
      const shipped = `Shipped with ${courier} (delivery ${s.delivery?.id ?? ''}).`;
      if (s.delivery?.progress === 'ready')
        return `${shipped} ${courier} has your address and printed the label.`;
      if (s.delivery?.progress === 'failed')
        return `${shipped} ${courier} could not get your address: see ${courier}'s page.`;
      return `${shipped} ${courier} now asks your Disco device for your address: approve it there.`;
    }
  }
}

/** The connected device, and whether a CA the shop trusts certified it (nodetrust). */
function deviceView(link: Link): NonNullable<ShopState['device']> {
  const c = link.certificate;
  return {
    fingerprint: fingerprintOf(link.deviceId),
    certificate: c ? { name: c.name, issuer: c.issuer, not_after: c.notAfter.getTime() } : null,
    certified: c ? `Device certified as ${c.name} by ${c.issuer}.` : 'Device not certified.',
  };
}

/** The session as the page sees it; no session reads as a fresh one. */
export function shopView(
  shop: { name: string; fingerprint: string },
  s: ShopSession | undefined,
): ShopState {
  const st = s ?? new ShopSession();
  return {
    version: s ? s.version : null,
    step: st.step,
    status: status(st, shop.name),
    waiting: WAITING.includes(st.step),
    shop: { name: shop.name, fingerprint: shop.fingerprint },
    pairing: st.pairing
      ? { uid: st.pairing.uid, qr_image: st.pairing.qrImage, expires_at: st.pairing.expiresAt }
      : null,
    device: st.link ? deviceView(st.link) : null,
    courier: st.courier ?? null,
    delivery: st.delivery
      ? { id: st.delivery.id, courier_url: st.delivery.courierUrl, progress: st.delivery.progress }
      : null,
    error: st.problem ?? null,
  };
}
