import { readFileSync } from 'node:fs';
import QRCode from 'qrcode';
import type { Request, Response } from 'express';
import { createRequest, ed25519Signer, requestLink } from '../../protocol/certificates/index.js';
import { ApiError, readObject } from '../common/http.js';
import { notesGlob, type NotesContext } from './context.js';
import { viewOf } from './view.js';

/** What the notes app asks for: creating notes, for a week, and the person's name if they like. */
const LIFETIME = 7 * 24 * 3600;

/** The app's icon, carried inside each request (issue #8: inline, size-capped). */
const ICON = new Uint8Array(readFileSync(new URL('./public/favicon.svg', import.meta.url)));

/** The QR code as an `<img>` source (an SVG made here, as the shop does). */
async function qrImage(payload: string): Promise<string> {
  const svg = await QRCode.toString(payload, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/**
 * `POST /api/sign-in`: "Sign in with Disco". The session gets its own Ed25519 app key
 * (non-extractable, in this server's memory), signs a certificate request with it, and offers it
 * by reference: the QR code and the link carry `request_uri` (on this origin) and the request's
 * SHA-256, so the device fetches it from here and can tell the person the origin is verified.
 */
export async function signIn(ctx: NotesContext, req: Request, res: Response): Promise<void> {
  readObject(req.body, []);
  sweepPending(ctx);
  if (ctx.pending.size >= ctx.limits.pending) {
    throw new ApiError('ERR_BUSY', 'Many people are signing in right now. Please try again.');
  }
  const s = ctx.sessions.open(req, res);
  const pair = await crypto.subtle.generateKey('Ed25519', false, ['sign', 'verify']);
  const app = {
    publicKey: new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)),
    sign: ed25519Signer(pair.privateKey),
  };
  const { bytes, request } = await createRequest(
    {
      name: 'Demo Notes',
      description: 'Keeps short notes; each note is signed in your name.',
      url: `${ctx.origin}/`,
      // Inside the request: the device shows it without asking this server for it.
      iconImage: ICON,
      subject: app.publicKey,
      capabilities: [{ resource: notesGlob(ctx), actions: ['create'] }],
      lifetime: LIFETIME,
      fields: ['name'],
      returnUrl: `${ctx.origin}/return`,
      nonce: crypto.getRandomValues(new Uint8Array(16)),
    },
    app.sign,
    ctx.now(),
  );
  if (s.request) ctx.pending.delete(s.request.id);
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(bytes)));
  const ref = { kind: 'uri', uri: `${ctx.origin}/disco/requests/${request.id}`, hash } as const;
  const link = requestLink(
    ctx.deviceUrl ? `${ctx.deviceUrl}/#/capability` : 'web+disco:capability',
    ref,
  );
  // The same request as a web+disco: link, for a device app that registered the scheme.
  const protocolLink = requestLink('web+disco:capability', ref);
  Object.assign(s, {
    app,
    certificate: undefined,
    deviceId: undefined,
    request: {
      id: request.id,
      link,
      protocolLink,
      qrImage: await qrImage(link),
      expiresAt: request.expiresAt * 1000,
    },
  });
  ctx.pending.set(request.id, { bytes, session: s, expiresAt: request.expiresAt * 1000 });
  res.status(201).json(viewOf(ctx, s));
}

/** `GET /disco/requests/:id`: the request's bytes, for any origin (the device fetches them). */
export function serveRequest(ctx: NotesContext, req: Request, res: Response): void {
  const entry = ctx.pending.get(String(req.params.id));
  if (!entry || entry.expiresAt < ctx.now()) {
    throw new ApiError('ERR_NOT_FOUND', 'No such sign-in request (it may have expired).');
  }
  res
    .set({
      'content-type': 'application/cbor',
      'access-control-allow-origin': '*',
      'cross-origin-resource-policy': 'cross-origin',
      'cache-control': 'no-store',
    })
    .send(Buffer.from(entry.bytes));
}

export function sweepPending(ctx: NotesContext): void {
  for (const [id, entry] of ctx.pending) if (entry.expiresAt < ctx.now()) ctx.pending.delete(id);
}
