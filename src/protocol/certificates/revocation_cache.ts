import { b64u, bytes } from '../encoding/index.js';
import { DiscoError } from '../errors/index.js';
import { deviceIdOf } from '../identity/device_id.js';
import { peerIdOf, PEER_ID_PATTERN } from '../tunnel/peer_id.js';
import { CAPABILITY_LIMITS } from './limits.js';
import { parseRevocationList } from './parse_revocation_list.js';
import type { RevocationList } from './revocation_list.js';

/**
 * One device's list as a relay caches it (docs/wire/certificates.md "The relay's cache of lists"):
 * plain JSON, so a Redis store keeps it as one value. `ids` is a digest of the revoked ids and
 * subjects, all a cache needs to tell a re-signature (same ones) from a second list under one
 * sequence.
 */
export interface CachedRevocationList {
  readonly sequence: number;
  /** Seconds since the epoch, as signed. */
  readonly issuedAt: number;
  /** base64url SHA-256 of the revoked ids (and subjects) in their canonical order. */
  readonly ids: string;
  /** The signed envelope, base64url: what the relay serves. */
  readonly list: string;
}

/** What a cache does with an incoming list, decided by `compareCachedLists`. */
export type CacheDecision = 'store' | 'keep' | 'rollback' | 'conflict';

/** The relay's tunnel path where the device answers its own list. */
export const DEVICE_REVOCATIONS_PATH = '/disco/capability/revocations';

/** The relay's cache of a device's list: `<relay>/capability/revocations/<peer id>`. */
export function relayRevocationsUrl(relayUrl: string, peerId: string): string {
  if (!PEER_ID_PATTERN.test(peerId)) throw new DiscoError('ERR_CAP_MALFORMED', 'not a peer id');
  return `${relayUrl.replace(/\/+$/, '')}/capability/revocations/${peerId}`;
}

/** The relay peer id of the device whose identity key is `issuer` (its tunnel, its cache key). */
export async function peerIdOfIssuer(issuer: Uint8Array): Promise<string> {
  return peerIdOf(await deviceIdOf({ kty: 'OKP', crv: 'Ed25519', x: b64u.encode(issuer) }));
}

/** The cache entry of a parsed list. */
export async function cachedListOf(list: RevocationList): Promise<CachedRevocationList> {
  const joined = revocationsDigestInput(list);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes(joined)));
  return {
    sequence: list.sequence,
    issuedAt: list.issuedAt,
    ids: b64u.encode(digest),
    list: b64u.encode(list.bytes),
  };
}

/**
 * What `ids` hashes: the revoked ids, 32 bytes each, as before subjects existed (so entries a
 * relay already holds keep their digest); with revoked subjects, a 4-byte big-endian count of
 * ids first, then the ids, then the subjects. The count fixes where the ids end, and such an
 * input is 4 bytes longer than a multiple of 32, so it never equals an input without subjects.
 */
function revocationsDigestInput(list: RevocationList): Uint8Array {
  const values = [...list.revoked, ...list.revokedSubjects];
  const head = list.revokedSubjects.length === 0 ? 0 : 4;
  const joined = new Uint8Array(head + values.length * 32);
  if (head > 0) new DataView(joined.buffer).setUint32(0, list.revoked.length);
  values.forEach((v, i) => joined.set(b64u.decode(v), head + i * 32));
  return joined;
}

/**
 * The rule of `acceptRevocationList`, on cache entries, so every store (memory, Redis's script)
 * applies the same one: a lower sequence is a rollback; the same sequence with other ids is a
 * conflict (two lists under one number); the same list signed again later refreshes the copy
 * (`store`), or not (`keep`, an older or equal signature); a higher sequence replaces it.
 */
export function compareCachedLists(
  current: CachedRevocationList | undefined,
  incoming: CachedRevocationList,
): CacheDecision {
  if (current === undefined || incoming.sequence > current.sequence) return 'store';
  if (incoming.sequence < current.sequence) return 'rollback';
  if (incoming.ids !== current.ids) return 'conflict';
  return incoming.issuedAt > current.issuedAt ? 'store' : 'keep';
}

/**
 * Checks a list published for the device `peerId` (PUT to the relay, or its own answer through
 * the tunnel) and returns the entry to cache: at most 40 000 bytes, canonical, signed by its
 * `iss`, and that `iss` must be the identity key whose peer id is `peerId`, so only the device
 * can publish for its own id. ERR_CAP_TOO_LARGE, ERR_CAP_MALFORMED, ERR_CAP_NON_CANONICAL,
 * ERR_CAP_SIGNATURE_INVALID, ERR_CAP_NOT_YET_VALID, or ERR_CAP_UNTRUSTED_ISSUER (another device's key).
 */
export async function checkPublishedList(
  envelope: Uint8Array,
  peerId: string,
  opts: { now: number },
): Promise<{ list: RevocationList; entry: CachedRevocationList }> {
  if (envelope.length > CAPABILITY_LIMITS.maxRevocationListBytes) {
    throw new DiscoError('ERR_CAP_TOO_LARGE', 'revocations: larger than 40 000 bytes');
  }
  const list = await parseRevocationList(envelope, opts);
  if ((await peerIdOfIssuer(list.issuer)) !== peerId) {
    throw new DiscoError('ERR_CAP_UNTRUSTED_ISSUER', "revocations: not this device's key");
  }
  return { list, entry: await cachedListOf(list) };
}

/**
 * Reads `{ "list": "<base64url envelope>" }` (the device's answer and the PUT body) into the
 * envelope's bytes; ERR_CAP_MALFORMED for anything else, ERR_CAP_TOO_LARGE past the size limit.
 */
export function listOfBody(body: unknown): Uint8Array {
  const malformed = () =>
    new DiscoError('ERR_CAP_MALFORMED', 'revocations: send { "list": "<base64url>" }');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw malformed();
  const keys = Object.keys(body);
  const list = (body as { list?: unknown }).list;
  if (keys.length !== 1 || keys[0] !== 'list' || typeof list !== 'string') throw malformed();
  if (list.length > Math.ceil((CAPABILITY_LIMITS.maxRevocationListBytes * 4) / 3)) {
    throw new DiscoError('ERR_CAP_TOO_LARGE', 'revocations: larger than 40 000 bytes');
  }
  try {
    return b64u.decode(list);
  } catch {
    throw malformed();
  }
}
