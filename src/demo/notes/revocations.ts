import type { Request, Response } from 'express';
import { b64u } from '../../protocol/encoding/index.js';
import { DiscoError } from '../../protocol/errors/index.js';
import {
  acceptRevocationList,
  CAPABILITY_LIMITS,
  parseRevocationList,
  relayRevocationsUrl,
} from '../../protocol/certificates/index.js';
import { ApiError, readObject } from '../common/http.js';
import type { Account, NotesContext } from './context.js';
import { deviceIdOfKey } from './device_id.js';

/** A list younger than this is used as it is; older, the server asks the device again. */
export const PULL_AFTER_MS = 60_000;
/** Pulls of one device's list are at least this far apart (a device cannot be hammered). */
const PULL_SPACING_MS = 2_000;
const PULL_TIMEOUT_MS = 5_000;

/**
 * The only revocation URLs this server fetches: the device's own tunnel on the configured relay,
 * `<relay>/p/disco-<32 hex>/disco/capability/revocations`. The URL comes from a certificate any
 * device can sign, so anything else (another host, a private address) would be a request forgery.
 */
export function revocationUrlAllowed(ctx: NotesContext, url: string): boolean {
  const prefix = `${ctx.relayUrl}/p/`;
  return (
    url.startsWith(prefix) &&
    /^disco-[0-9a-f]{32}\/disco\/capability\/revocations$/.test(url.slice(prefix.length))
  );
}

/**
 * Where this server asks for a device's list: the relay's cache of lists,
 * `<relay>/capability/revocations/<peer id>`, for the peer of the certificate's `rev` (checked by
 * revocationUrlAllowed). The relay answers from its copy, which the device publishes when it
 * revokes and which the relay refreshes through the tunnel once it is a minute old; so a
 * revocation arrives even if the device went offline right after it.
 */
export function revocationPullUrl(ctx: NotesContext, rev: string): string {
  const peer = rev.slice(`${ctx.relayUrl}/p/`.length).split('/')[0] ?? '';
  return relayRevocationsUrl(ctx.relayUrl, peer);
}

/**
 * Makes the account's list as fresh as it can (docs/wire/certificates.md "Revocation"): when it is older
 * than a minute, asks the relay's cache (revocationPullUrl). A failed pull keeps the old list;
 * `verifyCapability` then refuses once that list is older than the freshness window (300 s).
 */
export async function refreshRevocations(ctx: NotesContext, account: Account): Promise<void> {
  const age = account.revocations ? ctx.now() - account.revocations.issuedAt * 1000 : Infinity;
  if (age < ctx.pullAfterMs || account.revocationUrl === undefined) return;
  if (ctx.now() - account.lastPull < PULL_SPACING_MS && account.refreshing === undefined) return;
  const url = revocationPullUrl(ctx, account.revocationUrl);
  account.refreshing ??= pull(ctx, account, url).finally(() => {
    account.refreshing = undefined;
  });
  await account.refreshing;
}

async function pull(ctx: NotesContext, account: Account, url: string): Promise<void> {
  account.lastPull = ctx.now();
  try {
    const res = await ctx.fetchFn(url, {
      headers: { accept: 'application/json, application/cbor' },
      redirect: 'error',
      signal: AbortSignal.timeout(PULL_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    // The device's engine answers `{ "list": "<base64url>" }` (its answers are text); a raw
    // `application/cbor` envelope is taken too, from any other host of the list.
    const json = (res.headers.get('content-type') ?? '').startsWith('application/json');
    const max = CAPABILITY_LIMITS.maxRevocationListBytes * (json ? 2 : 1);
    const body = await readAtMost(res, max);
    const list = await parseRevocationList(json ? listOfJson(body) : body, { now: ctx.now() });
    account.revocations = acceptRevocationList(account.issuer, account.revocations, list);
  } catch (err) {
    ctx.log.error(
      `notes: revocation list of ${account.fingerprint} not refreshed: ${err instanceof Error ? err.message : 'unknown'}`,
    );
  }
}

/**
 * `POST /disco/revocations` `{ "list": "<base64url envelope>" }`: a device (or anyone relaying
 * its signed list) pushes it, so a revocation takes effect at once instead of at the next pull.
 * Lists of unknown devices are refused; a rollback is refused by `acceptRevocationList`.
 */
export async function pushRevocations(ctx: NotesContext, req: Request, res: Response) {
  const { list } = readObject(req.body, ['list']);
  if (typeof list !== 'string' || list.length > CAPABILITY_LIMITS.maxRevocationListBytes * 2) {
    throw new ApiError('ERR_INVALID_INPUT', 'Send { "list": "<base64url revocation list>" }.');
  }
  let bytes: Uint8Array;
  try {
    bytes = b64u.decode(list);
  } catch {
    throw new ApiError('ERR_INVALID_INPUT', 'The list is not base64url.');
  }
  const parsed = await parseRevocationList(bytes, { now: ctx.now() });
  const account = ctx.accounts.get(await deviceIdOfKey(parsed.issuer));
  if (!account) throw new DiscoError('ERR_CAP_UNTRUSTED_ISSUER', 'No account for this device.');
  account.revocations = acceptRevocationList(account.issuer, account.revocations, parsed);
  res.status(204).end();
}

function listOfJson(body: Uint8Array): Uint8Array {
  const { list } = JSON.parse(new TextDecoder().decode(body)) as { list?: unknown };
  if (typeof list !== 'string') throw new Error('no list in the answer');
  return b64u.decode(list);
}

/** The body, or an error as soon as it passes `max` bytes (a device can answer anything). */
async function readAtMost(res: globalThis.Response, max: number): Promise<Uint8Array> {
  if (Number(res.headers.get('content-length') ?? 0) > max) throw new Error('list too large');
  const reader = res.body?.getReader();
  if (!reader) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel();
      throw new Error('list too large');
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
