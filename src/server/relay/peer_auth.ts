import { isDiscoError } from '../../protocol/errors/index.js';
import { PEER_ID_PATTERN, verifyPeerToken } from '../../protocol/tunnel/index.js';

/** The PeerJS id prefix reserved for devices (ids derived from their identity key). */
export const DEVICE_ID_PREFIX = /^disco-/i;
/** What PeerJS ids may look like here (PeerJS itself allows letters, digits, `-`, `_`). */
const OTHER_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export type PeerAdmission =
  | {
      readonly ok: true;
      readonly id: string;
      readonly device: boolean;
      /** A device's token and when it was made (ms): the relay lets each token in once. */
      readonly token?: { readonly value: string; readonly iatMs: number };
    }
  | {
      readonly ok: false;
      readonly id: string;
      readonly status: 400 | 401 | 403;
      readonly reason: string;
    };

/** The `iat` of a token `verifyPeerToken` accepted (so its payload is JSON with a numeric `iat`). */
function issuedAt(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
    iat: number;
  };
  return payload.iat * 1000;
}

/**
 * Decides whether a PeerJS WebSocket may open, from its URL query (`?key=&id=&token=`):
 * - `id`, `token` and `key` must each appear exactly once: PeerJS reads the last of repeated
 *   parameters, so checking the first would let `?id=me&id=disco-victim` through;
 * - a device id (`disco-` + 32 hex) needs a peer token signed by the key it derives from
 *   (`verifyPeerToken`), so nobody else can receive a device's signalling;
 * - any other id is allowed (the relay's own peer, RPs' SDK peers) unless it uses the `disco-`
 *   prefix in any case.
 */
export async function admitPeer(url: string | undefined, nowMs: number): Promise<PeerAdmission> {
  const query = new URL(url ?? '', 'http://relay.invalid').searchParams;
  const once = (name: string) => (query.getAll(name).length === 1 ? query.get(name)! : null);
  const id = once('id');
  const token = once('token');
  if (id === null || token === null || once('key') === null)
    return { ok: false, id: id ?? '', status: 400, reason: 'id, token and key exactly once' };
  if (PEER_ID_PATTERN.test(id)) {
    try {
      await verifyPeerToken(token, id, nowMs);
      return { ok: true, id, device: true, token: { value: token, iatMs: issuedAt(token) } };
    } catch (err) {
      return { ok: false, id, status: 401, reason: isDiscoError(err) ? err.code : 'ERR_INTERNAL' };
    }
  }
  if (DEVICE_ID_PREFIX.test(id) || !OTHER_ID.test(id))
    return { ok: false, id: id.slice(0, 64), status: 403, reason: 'reserved or invalid id' };
  return { ok: true, id, device: false };
}
