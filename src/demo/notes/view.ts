import type { Account, NotesContext, NotesSession } from './context.js';

/** What `GET /api/state` tells the page (docs/wire/certificates.md "Notes demo"). */
export function viewOf(ctx: NotesContext, s: NotesSession | undefined) {
  const account: Account | undefined = s?.deviceId ? ctx.accounts.get(s.deviceId) : undefined;
  const signedIn = s?.certificate !== undefined && account !== undefined;
  return {
    signed_in: signedIn,
    request:
      !signedIn && s?.request && s.request.expiresAt > ctx.now()
        ? {
            link: s.request.link,
            protocol_link: s.request.protocolLink,
            qr_image: s.request.qrImage,
            expires_at: s.request.expiresAt,
          }
        : null,
    account: signedIn
      ? {
          fingerprint: account.fingerprint,
          name: account.name ?? null,
          expires_at: s.certificate!.expiresAt * 1000,
        }
      : null,
    notes: signedIn
      ? account.notes
          .slice(-50)
          .reverse()
          .map((n) => ({ id: n.id, text: n.text, created_at: n.createdAt, by: n.by }))
      : [],
  };
}
