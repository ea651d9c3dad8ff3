/// <reference lib="webworker" />
import {
  cleanupOutdatedCaches,
  createHandlerBoundToURL,
  precacheAndRoute,
} from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { broadcastDecisions } from '../src/browser/decisions.js';
import { IdbStore } from '../src/browser/idb_store.js';
import { KeptStore } from '../src/browser/kept_store.js';
import { onStoreChange } from '../src/browser/store_changes.js';
import {
  parsePageToWorker,
  type EngineRequestMessage,
  type WorkerToPage,
} from '../src/browser/messages.js';
import {
  handleRequest,
  type EngineRequest,
  type EngineResponse,
} from '../src/protocol/engine/index.js';
import { systemClock, systemRandom } from '../src/protocol/encoding/index.js';
import { notifyPending, notifyWithdrawn, tellPages } from './notify.js';
import { engineRequestFrom, engineRequestFromMessage, responseFrom } from './http.js';

declare const self: ServiceWorkerGlobalScope;
declare const __DISCO_VERSION__: string;

// The app shell, precached: Disco starts offline.
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('index.html'), {
    denylist: [/^\/disco\//, /^\/p\//, /^\/peerjs/, /^\/api\//],
  }),
);

// The protocol engine host: /disco/* is answered here, from IndexedDB, without the page.
// A failed open is not kept: the next request tries again (a full disk or a blocked upgrade passes).
// The identity, its keys and the settings stay in memory between requests until a page announces
// that it changed them (set-up, restore, passphrase, settings: src/browser/store_changes.ts).
let store: Promise<KeptStore> | undefined;
const openStore = () =>
  (store ??= IdbStore.open().then(
    (idb) => {
      const kept = new KeptStore(idb);
      onStoreChange(idb.name, () => kept.forget());
      return kept;
    },
    (err: unknown) => {
      store = undefined;
      throw err;
    },
  ));

// Long-poll (issue #16): a company's poll is held until the person decides. The person clicks in
// a page; its decision reaches this worker on a BroadcastChannel (src/browser/decisions.ts).
const decisions = broadcastDecisions();
/** Long enough for the new worker to take over; should it not, polls are held again after. */
const RELEASE_MS = 30_000;

/** One request through the engine; the event stays alive until the pages are told and notified. */
async function engine(req: EngineRequest, event: ExtendableEvent): Promise<EngineResponse> {
  return handleRequest(req, {
    store: await openStore(),
    clock: systemClock,
    random: systemRandom,
    origin: self.location.origin,
    notify: (pending) => event.waitUntil(notifyPending(pending)),
    answeredByRule: (request) => event.waitUntil(tellPages(request)),
    withdrawn: (pending) => event.waitUntil(notifyWithdrawn(pending)),
    decisions,
  });
}

const isDisco = ({ url }: { url: URL }) =>
  url.origin === self.location.origin && url.pathname.startsWith('/disco/');
for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const) {
  registerRoute(
    isDisco,
    async ({ request, event }) =>
      responseFrom(await engine(await engineRequestFrom(request), event)),
    method,
  );
}

// First install takes control at once; an update waits for the page's SKIP_WAITING.
self.addEventListener('install', (event) => {
  if (!self.registration.active) event.waitUntil(self.skipWaiting());
});
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(openInbox());
});

async function openInbox(): Promise<void> {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const own = windows.find((w) => new URL(w.url).origin === self.location.origin);
  if (own) {
    await own.focus();
    await own.navigate(new URL('/#/inbox', self.location.origin).href).catch(() => undefined);
  } else await self.clients.openWindow('/#/inbox');
}
self.addEventListener('message', (event) => {
  if (event.origin !== self.location.origin) return;
  const msg = parsePageToWorker(event.data);
  if (msg?.type === 'SKIP_WAITING') event.waitUntil(self.skipWaiting());
  // The person applies an update: end the held polls now, and hold none for a while.
  if (msg?.type === 'UPDATING') decisions.release(RELEASE_MS);
  if (msg?.type === 'GET_VERSION') {
    const reply: WorkerToPage = { type: 'VERSION', version: __DISCO_VERSION__ };
    event.ports[0]?.postMessage(reply);
  }
  // Tunnelled requests from this app's own pages: no fetch dispatch (about 5 ms each), and none
  // of the console noise Chromium prints for every 4xx answer, such as authorization_pending.
  if (msg?.type === 'ENGINE_HELLO') {
    const reply: WorkerToPage = { type: 'ENGINE_READY' };
    event.ports[0]?.postMessage(reply);
  }
  const port = event.ports[0];
  if (msg?.type === 'ENGINE_REQUEST' && port && event.source instanceof WindowClient)
    event.waitUntil(answerOnPort(msg.request, port, event));
});

async function answerOnPort(
  request: EngineRequestMessage,
  port: MessagePort,
  event: ExtendableEvent,
): Promise<void> {
  // A held poll may take 20 s: say every 2 s that this worker still works on it, so the page
  // notices a worker stopped mid-request in seconds (src/app/lib/worker_engine.ts).
  const working: WorkerToPage = { type: 'ENGINE_WORKING' };
  const alive = setInterval(() => port.postMessage(working), 2_000);
  const res = await engine(engineRequestFromMessage(request), event).catch((): EngineResponse => ({
    status: 500,
    headers: { 'content-type': 'application/json' },
    body: '{"error":"server_error","code":"ERR_INTERNAL"}',
  }));
  clearInterval(alive);
  const reply: WorkerToPage = { type: 'ENGINE_RESPONSE', ...res };
  port.postMessage(reply);
}
