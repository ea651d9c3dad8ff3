import { parseWorkerToPage } from '../../browser/messages.js';
import { broadcastDecisions } from '../../browser/decisions.js';
import type { DecisionSignal } from '../../protocol/auth/decision_signal.js';
// Not protocol/auth/index.js: deciding needs JOSE and X.509, loaded when the person answers.
import {
  COLLECTIONS,
  type ActivityRecord,
  type ClientRecord,
  type GrantRecord,
  type PendingRecord,
  type RuleRecord,
} from '../../protocol/auth/records.js';
import { deleteRule, prune, revokeClient, revokeGrant } from '../../protocol/auth/revoke.js';
import { systemClock, systemRandom } from '../../protocol/encoding/index.js';
import { explain, type Device } from './device.svelte.js';

/** How often the open inbox looks again: answered requests leave once the company collects them. */
const WATCH_MS = 3_000;

/**
 * The person's side of the authorization engine: requests waiting for an answer, the companies
 * connected, the permissions and rules given, and the activity log. Everything is read from the
 * store the service worker writes to, and changed only through the engine (decide, revoke…).
 */
export class Consent {
  #device: Device;
  #decisions: DecisionSignal | undefined;
  #requests = $state<PendingRecord[]>([]);
  clients = $state<ClientRecord[]>([]);
  grants = $state<GrantRecord[]>([]);
  rules = $state<RuleRecord[]>([]);
  /** Newest first. */
  activity = $state<ActivityRecord[]>([]);
  /** The time the lists were last read: requests past their expiry are left out. */
  now = $state(Date.now());
  loaded = $state(false);
  /** Set when the store could not be read. */
  failure = $state('');
  #generation = 0;

  /** Requests waiting for the person, oldest first. */
  pending = $derived(
    this.#requests
      .filter((p) => p.status === 'pending' && p.expiresAt > this.now)
      .sort((a, b) => a.createdAt - b.createdAt),
  );
  waiting = $derived(this.pending.length);

  constructor(device: Device) {
    this.#device = device;
  }

  /**
   * Housekeeping, a first read, and a fresh read whenever the service worker reports a new
   * request or the page becomes visible again. Returns the function that stops listening.
   */
  start(): () => void {
    const onMessage = (event: MessageEvent) => {
      // Only this origin's own service worker can post here; check anyway, then parse.
      if (event.origin !== location.origin && !(event.source instanceof ServiceWorker)) return;
      if (parseWorkerToPage(event.data)?.type === 'PENDING_CHANGED') void this.reload();
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') void this.reload();
    };
    const sw = 'serviceWorker' in navigator ? navigator.serviceWorker : undefined;
    sw?.addEventListener('message', onMessage);
    document.addEventListener('visibilitychange', onVisible);
    void prune(this.#ctx())
      .catch(() => undefined)
      .then(() => this.reload());
    return () => {
      sw?.removeEventListener('message', onMessage);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }

  /** Reads again every few seconds, for as long as a page needs up-to-date requests. */
  watch(): () => void {
    const timer = setInterval(() => void this.reload(), WATCH_MS);
    return () => clearInterval(timer);
  }

  async reload(): Promise<void> {
    const generation = ++this.#generation;
    try {
      const store = this.#device.store;
      const [requests, clients, grants, rules, activity] = await Promise.all([
        store.list<PendingRecord>(COLLECTIONS.pending),
        store.list<ClientRecord>(COLLECTIONS.clients),
        store.list<GrantRecord>(COLLECTIONS.grants),
        store.list<RuleRecord>(COLLECTIONS.rules),
        store.list<ActivityRecord>(COLLECTIONS.activity),
        // A data request shows the values it would send: they must be the current ones.
        this.#device.refreshVault(),
      ]);
      // A slower, older read must not overwrite a newer one.
      if (generation !== this.#generation) return;
      this.#requests = requests.map((r) => r.value);
      this.clients = clients.map((r) => r.value).sort((a, b) => b.registeredAt - a.registeredAt);
      this.grants = grants.map((r) => r.value).sort((a, b) => b.createdAt - a.createdAt);
      this.rules = rules.map((r) => r.value).sort((a, b) => b.createdAt - a.createdAt);
      this.activity = activity
        .map((r) => r.value)
        .reverse()
        .sort((a, b) => b.at - a.at);
      this.failure = '';
    } catch (err) {
      if (generation === this.#generation) this.failure = explain(err);
    } finally {
      if (generation === this.#generation) {
        this.now = Date.now();
        this.loaded = true;
      }
    }
  }

  /** Approves a request; `remember` also stores "always allow this client this scope". */
  async approve(id: string, remember = false): Promise<void> {
    await this.#answer(id, { approve: true, remember });
  }

  async reject(id: string): Promise<void> {
    await this.#answer(id, { approve: false });
  }

  async revokeClient(clientId: string): Promise<void> {
    await this.#then(revokeClient(clientId, this.#ctx()));
  }

  async revokeGrant(grantId: string): Promise<void> {
    await this.#then(revokeGrant(grantId, this.#ctx()));
  }

  async deleteRule(ruleId: string): Promise<void> {
    await this.#then(deleteRule(ruleId, this.#ctx()));
  }

  /** The name a company gave itself, or its id once it is gone. */
  nameOf(clientId: string): string {
    return this.clients.find((c) => c.clientId === clientId)?.clientName ?? clientId;
  }

  grantsOf(clientId: string): GrantRecord[] {
    // A replaced permission is not one the person gave up: it lives on as its successor.
    return this.grants.filter((g) => g.clientId === clientId && g.replacedBy === undefined);
  }

  async #answer(id: string, decision: { approve: boolean; remember?: boolean }): Promise<void> {
    const { decide, loadContext } = await import('../../protocol/auth/index.js');
    const ctx = await loadContext({
      store: this.#device.store,
      clock: systemClock,
      random: systemRandom,
      origin: location.origin,
      // a company's held poll in the service worker hears of it at once (long-poll)
      decisions: (this.#decisions ??= broadcastDecisions()),
    });
    await this.#then(decide(id, { ...decision, by: 'person' }, ctx));
  }

  /** Reads again after a change, whether it worked or not (the error is the caller's to show). */
  async #then(change: Promise<unknown>): Promise<void> {
    try {
      await change;
    } finally {
      await this.reload();
    }
  }

  #ctx() {
    return { store: this.#device.store, clock: systemClock, random: systemRandom };
  }
}
