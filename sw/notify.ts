/// <reference lib="webworker" />
import type { PendingRecord } from '../src/protocol/auth/records.js';
import type { WorkerToPage } from '../src/browser/messages.js';
import { asks, partnerLabel } from '../src/browser/wording.js';

declare const self: ServiceWorkerGlobalScope;

/**
 * A request is waiting: every open page of the app reloads its inbox; when none is visible, a
 * system notification tells the person (if they allowed notifications).
 */
export async function notifyPending(p: PendingRecord): Promise<void> {
  const windows = await tellPages(p);
  const visible = windows.some((w) => w.visibilityState === 'visible');
  if (visible || typeof Notification === 'undefined' || Notification.permission !== 'granted')
    return;
  const fields = p.scope.length ? p.scope.join(', ') : 'information';
  const recipient = p.audience && partnerLabel(p.audience, p.client.clientName);
  await self.registration.showNotification(
    `${p.client.clientName} ${asks(p.kind, fields, recipient)}`,
    {
      body: 'Open Disco to approve or refuse.',
      tag: p.id,
      icon: '/icons/icon-192.png',
    },
  );
}

/**
 * The company withdrew a waiting request (src/protocol/auth/withdraw.ts): open pages reload their
 * inbox (its card goes) and the system notification about it, if still shown, is closed.
 */
export async function notifyWithdrawn(p: PendingRecord): Promise<void> {
  await tellPages(p);
  for (const n of await self.registration.getNotifications({ tag: p.id })) n.close();
}

/**
 * Every open page of the app reads its records again: a request arrived, went, or one of the
 * person's rules answered it (Connections then shows the permission that replaced the last one).
 */
export async function tellPages(p: PendingRecord): Promise<readonly WindowClient[]> {
  const windows = await self.clients.matchAll({ type: 'window' });
  const message: WorkerToPage = { type: 'PENDING_CHANGED', id: p.id };
  for (const w of windows) w.postMessage(message);
  return windows;
}
