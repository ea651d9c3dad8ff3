import type { Request, Response } from 'express';
import {
  CAPABILITY_LIMITS,
  createInvocation,
  parseCertificate,
  verifyCapability,
} from '../../protocol/certificates/index.js';
import { b64u, utf8 } from '../../protocol/encoding/index.js';
import { DiscoError } from '../../protocol/errors/index.js';
import { isWellFormed } from '../../protocol/certificates/fields.js';
import { ApiError, readObject } from '../common/http.js';
import { notesResource, type Note, type NotesContext } from './context.js';
import { deviceIdOfKey, fingerprintOfKey } from './device_id.js';
import { refreshRevocations } from './revocations.js';
import { viewOf } from './view.js';

const MAX_NOTE = 2000;

/**
 * Verifies one signed note and stores it in the notebook of the device at the chain's root
 * (docs/wire/certificates.md "Notes demo"): the invocation must be for this server, for
 * `<origin>/notes/main`, action `create`, over the SHA-256 of exactly this text; the account must
 * exist (signed in once) and its device's revocation list be fresh.
 */
export async function acceptNote(
  ctx: NotesContext,
  input: { note: string; certificates: Uint8Array[]; invocation: Uint8Array },
): Promise<Note> {
  if (input.certificates.length === 0) throw new DiscoError('ERR_CAP_MALFORMED', 'No certificate.');
  const root = await parseCertificate(input.certificates[0]!);
  const account = ctx.accounts.get(await deviceIdOfKey(root.issuer));
  if (!account) {
    throw new DiscoError('ERR_CAP_UNTRUSTED_ISSUER', 'Sign in with Disco on Demo Notes first.');
  }
  await refreshRevocations(ctx, account);
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', new Uint8Array(utf8.encode(input.note))),
  );
  const { invocation } = await verifyCapability({
    certificate: input.certificates,
    invocation: input.invocation,
    expect: { audience: ctx.origin, resource: notesResource(ctx), action: 'create', digest },
    now: ctx.now(),
    trustedIssuers: [account.issuer],
    revocations: account.revocations ? [account.revocations] : [],
    remember: ctx.seen.remember,
  });
  const note: Note = {
    id: invocation.id,
    text: input.note,
    createdAt: ctx.now(),
    by: await fingerprintOfKey(invocation.invoker),
  };
  account.notes.push(note);
  if (account.notes.length > ctx.limits.notesPerAccount) account.notes.shift();
  return note;
}

/** Text of 1 to 2000 characters: line breaks and tabs allowed, other control characters not. */
function readNote(value: unknown): string {
  if (
    typeof value !== 'string' ||
    value.length > MAX_NOTE ||
    value.trim() === '' ||
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(value) ||
    !isWellFormed(value)
  ) {
    throw new ApiError('ERR_INVALID_INPUT', `A note is 1 to ${MAX_NOTE} characters of text.`);
  }
  return value;
}

function readEnvelope(value: unknown, max: number, what: string): Uint8Array {
  if (typeof value !== 'string' || value.length > Math.ceil((max * 4) / 3)) {
    throw new ApiError('ERR_INVALID_INPUT', `${what}: base64url of at most ${max} bytes.`);
  }
  try {
    return b64u.decode(value);
  } catch {
    throw new ApiError('ERR_INVALID_INPUT', `${what}: not base64url.`);
  }
}

/**
 * `POST /api/notes` `{ note, invocation, certificates: [root, …] }`: the public API any app
 * holding a certificate uses; no cookie, no session. Answers `201 { id }`.
 */
export async function postNote(ctx: NotesContext, req: Request, res: Response): Promise<void> {
  const body = readObject(req.body, ['note', 'invocation', 'certificates']);
  const note = readNote(body.note);
  const certs = body.certificates;
  if (
    !Array.isArray(certs) ||
    certs.length === 0 ||
    certs.length > CAPABILITY_LIMITS.maxChainLength
  ) {
    throw new ApiError('ERR_INVALID_INPUT', 'certificates: a list of 1 to 5, root first.');
  }
  const saved = await acceptNote(ctx, {
    note,
    certificates: certs.map((c) =>
      readEnvelope(c, CAPABILITY_LIMITS.maxCertificateBytes, 'certificate'),
    ),
    invocation: readEnvelope(body.invocation, CAPABILITY_LIMITS.maxInvocationBytes, 'invocation'),
  });
  res.status(201).json({ id: saved.id });
}

/**
 * `POST /api/session/notes` `{ note }`: the page's own button. The server-side half of the app
 * signs the invocation with the session's key, then the note goes through `acceptNote` like any
 * other app's.
 */
export async function postSessionNote(ctx: NotesContext, req: Request, res: Response) {
  const { note: raw } = readObject(req.body, ['note']);
  const note = readNote(raw);
  const s = ctx.sessions.find(req);
  if (!s?.app || !s.certificate) throw new ApiError('ERR_WRONG_STATE', 'Sign in with Disco first.');
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', new Uint8Array(utf8.encode(note))),
  );
  const { bytes } = await createInvocation(
    {
      invoker: s.app.publicKey,
      audience: ctx.origin,
      resource: notesResource(ctx),
      action: 'create',
      digest,
      proofs: [s.certificate.id],
      nonce: crypto.getRandomValues(new Uint8Array(16)),
    },
    s.app.sign,
    ctx.now(),
  );
  await acceptNote(ctx, { note, certificates: [s.certificate.bytes], invocation: bytes });
  res.status(201).json(viewOf(ctx, s));
}
