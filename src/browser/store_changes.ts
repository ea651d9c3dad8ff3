import { IDENTITY, KEYS } from '../protocol/identity/identity.js';
import { COLLECTIONS } from '../protocol/auth/records.js';

/**
 * Which records a context may keep in memory, and how every other context of this origin learns
 * that they changed. The service worker reads the identity, its keys and the settings on every
 * request (issue #13); they change only when the person sets up, restores or re-keys the device,
 * or edits a setting, always in a page. Every IdbStore write that touches them says so on a
 * BroadcastChannel (same origin only), once it has committed.
 */
export const KEPT_COLLECTIONS: ReadonlySet<string> = new Set([
  IDENTITY.collection,
  KEYS.collection,
  COLLECTIONS.settings,
]);

const CHANNEL = 'disco-store-changes';

interface StoreChanged {
  type: 'STORE_CHANGED';
  /** The IndexedDB database written (tests open several). */
  db: string;
}

function parseStoreChanged(data: unknown): StoreChanged | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { type, db } = data as { type?: unknown; db?: unknown };
  if (type !== 'STORE_CHANGED' || typeof db !== 'string' || db.length > 256) return undefined;
  return { type, db };
}

/** Does this batch touch a record some context may keep in memory? */
export function touchesKept(ops: ReadonlyArray<{ collection: string }>): boolean {
  return ops.some((op) => KEPT_COLLECTIONS.has(op.collection));
}

/** Tells the other contexts that kept records of `db` changed (call after the commit). */
export function announceStoreChange(db: string): void {
  if (typeof BroadcastChannel === 'undefined') return;
  // A channel per announcement: they are rare (set-up, restore, passphrase, settings), and an
  // open channel would keep a Node test process alive. A message posted is delivered after close.
  const channel = new BroadcastChannel(CHANNEL);
  const message: StoreChanged = { type: 'STORE_CHANGED', db };
  channel.postMessage(message);
  channel.close();
}

/** Calls `changed` whenever another context announces a change to kept records of `db`. */
export function onStoreChange(db: string, changed: () => void): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => undefined;
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent) => {
    if (parseStoreChanged(event.data)?.db === db) changed();
  };
  return () => channel.close();
}
