import type { Request, Response } from 'express';
import {
  CAPABILITY_LIMITS,
  isAttenuation,
  parseCertificate,
  sameBytes,
  type Certificate,
} from '../../protocol/certificates/index.js';
import { b64u } from '../../protocol/encoding/index.js';
import { DiscoError, isDiscoError, toWire } from '../../protocol/errors/index.js';
import { ApiError, readObject } from '../common/http.js';
import { notesGlob, type Account, type NotesContext } from './context.js';
import { deviceIdOfKey, fingerprintOfKey } from './device_id.js';
import { revocationUrlAllowed } from './revocations.js';

/**
 * Takes a certificate the device sent back for one of our sign-ins: it must answer a pending
 * request (`req`), name that session's app key as subject, be a root certificate valid now,
 * grant no more than was asked, and point its revocation list at the relay tunnel. Its issuer —
 * the person's device key — is the account (created on first sign-in).
 */
export async function acceptCertificate(ctx: NotesContext, encoded: unknown): Promise<Account> {
  if (typeof encoded !== 'string' || encoded.length > CAPABILITY_LIMITS.maxCertificateBytes * 2) {
    throw new ApiError('ERR_INVALID_INPUT', 'Send the certificate as base64url.');
  }
  let bytes: Uint8Array;
  try {
    bytes = b64u.decode(encoded);
  } catch {
    throw new ApiError('ERR_INVALID_INPUT', 'The certificate is not base64url.');
  }
  const cert = await parseCertificate(bytes);
  const pending = cert.request === undefined ? undefined : ctx.pending.get(cert.request);
  if (!pending || pending.expiresAt + CAPABILITY_LIMITS.skew * 1000 < ctx.now()) {
    throw new ApiError('ERR_NOT_FOUND', 'No sign-in is waiting for this certificate.');
  }
  const s = pending.session;
  if (!s.app || !sameBytes(cert.subject, s.app.publicKey)) {
    throw new DiscoError('ERR_CAP_WRONG_SUBJECT', 'The certificate is for another key.');
  }
  checkGrant(ctx, cert);
  const deviceId = await deviceIdOfKey(cert.issuer);
  let account = ctx.accounts.get(deviceId);
  if (!account) {
    if (ctx.accounts.size >= ctx.limits.accounts) {
      throw new ApiError('ERR_BUSY', 'This demo holds no more accounts. Please try later.');
    }
    account = {
      deviceId,
      fingerprint: await fingerprintOfKey(cert.issuer),
      issuer: cert.issuer,
      notes: [],
      lastPull: 0,
    };
    ctx.accounts.set(deviceId, account);
  }
  if (cert.revocationUrl !== undefined) account.revocationUrl = cert.revocationUrl;
  if (cert.profile?.name !== undefined) account.name = cert.profile.name;
  ctx.pending.delete(cert.request!);
  Object.assign(s, { certificate: cert, deviceId, request: undefined });
  return account;
}

function checkGrant(ctx: NotesContext, cert: Certificate): void {
  const now = Math.floor(ctx.now() / 1000);
  if (cert.parent !== undefined) {
    throw new DiscoError(
      'ERR_CAP_PROOF_MISMATCH',
      'Sign-in takes a certificate from the device itself.',
    );
  }
  if (now + CAPABILITY_LIMITS.skew < cert.notBefore) {
    throw new DiscoError('ERR_CAP_NOT_YET_VALID', 'The certificate is not valid yet.');
  }
  if (now - CAPABILITY_LIMITS.skew >= cert.expiresAt) {
    throw new DiscoError('ERR_CAP_EXPIRED', 'The certificate has expired.');
  }
  const asked = [{ resource: notesGlob(ctx), actions: ['create'] as const }];
  const profileOk = Object.keys(cert.profile ?? {}).every((f) => f === 'name');
  if (!isAttenuation(asked, cert.capabilities) || !profileOk) {
    throw new DiscoError('ERR_CAP_WIDENED', 'The certificate grants more than Demo Notes asked.');
  }
  if (cert.revocationUrl !== undefined && !revocationUrlAllowed(ctx, cert.revocationUrl)) {
    throw new ApiError(
      'ERR_INVALID_INPUT',
      "The certificate's revocation list must be served through the relay's device tunnel.",
    );
  }
}

/**
 * `GET /return?certificate=…`: where the device sends the person's browser back (the request's
 * `ret`). It answers a short page of fixed text, never echoing the input.
 */
export async function returnPath(ctx: NotesContext, req: Request, res: Response): Promise<void> {
  const keys = Object.keys(req.query);
  try {
    if (keys.length !== 1 || keys[0] !== 'certificate') {
      throw new ApiError('ERR_INVALID_INPUT', 'Expected ?certificate=… only.');
    }
    await acceptCertificate(ctx, req.query.certificate);
    res
      .status(200)
      .type('html')
      .send(
        page(
          'Signed in to Demo Notes',
          'You are signed in. You can go back to Demo Notes now; this tab can be closed.',
        ),
      );
  } catch (err) {
    const status =
      err instanceof ApiError ? err.status : isDiscoError(err) ? toWire(err).status : 500;
    if (status >= 500 && !(err instanceof ApiError)) throw err;
    res
      .status(status)
      .type('html')
      .send(
        page(
          'Sign-in refused',
          'Demo Notes could not use this certificate. Start again from the notes page.',
        ),
      );
  }
}

/** `POST /disco/certificates` `{ certificate }`: the same, for a device that delivers directly. */
export async function receiveCertificate(ctx: NotesContext, req: Request, res: Response) {
  const { certificate } = readObject(req.body, ['certificate']);
  const account = await acceptCertificate(ctx, certificate);
  res.status(201).json({ account: { fingerprint: account.fingerprint } });
}

const page = (title: string, text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><link rel="stylesheet" href="/common.css"><link rel="stylesheet" href="/notes.css"></head><body><main class="wrap"><h1>${title}</h1><p>${text}</p><p><a href="/">Demo Notes</a></p></main></body></html>`;
