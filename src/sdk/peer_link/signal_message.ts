/**
 * PeerJS signalling messages (the `peerjs` 1.5 client and the npm `peer` 1.0 server, over the
 * relay's `/peerjs` WebSocket) as Disco accepts them, checked before PeerJS reads them: PeerJS
 * trusts every message it is handed (an OFFER with `payload: null`, or a `serialization` that
 * is not one of its own, throws inside the peer and, in the relay, used to end the process:
 * issue #12.9). Written by hand because neither library ships a schema; the shapes are exactly
 * what `peerjs` 1.5.5 sends (`Negotiator._makeOffer`, `_makeAnswer`, `onicecandidate`) and what
 * `peer` 1.0.2 sends back (`{ type, src, dst, payload }`, OPEN, ERROR, ID-TAKEN, EXPIRE, LEAVE).
 * Only data connections: Disco never makes a media call. See docs/wire/relay.md "Signalling".
 */

export type SignalType =
  | 'HEARTBEAT'
  | 'OFFER'
  | 'ANSWER'
  | 'CANDIDATE'
  | 'OPEN'
  | 'ERROR'
  | 'ID-TAKEN'
  | 'INVALID-KEY'
  | 'EXPIRE'
  | 'LEAVE';

/** A message that passed {@link checkClientMessage} or {@link checkServerMessage}. */
export interface SignalMessage {
  readonly type: SignalType;
  readonly src?: string;
  readonly dst?: string;
  readonly payload?: Readonly<Record<string, unknown>>;
}

export type SignalCheck =
  | { readonly ok: true; readonly message: SignalMessage }
  | { readonly ok: false; readonly reason: string };

/** Ids as the relay admits them (`peer_auth.ts`): devices' `disco-<hex>` fit too. */
const PEER_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** PeerJS makes `dc_` + a random base-36 token; bounded, so nobody can make it a key of any size. */
const CONNECTION_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** PeerJS's own serializers: any other name is looked up on a plain object (`__proto__`…). */
const SERIALIZATIONS: ReadonlySet<string> = new Set([
  'raw',
  'json',
  'binary',
  'binary-utf8',
  'default',
]);
const MAX_SDP_CHARS = 32 * 1024;
const MAX_CANDIDATE_CHARS = 1024;
const MAX_LABEL_CHARS = 256;
const MAX_METADATA_CHARS = 1024;
const MAX_TEXT_CHARS = 256;

type Fields = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(value: Fields, allowed: readonly string[]): boolean {
  return Object.keys(value).every((key) => allowed.includes(key));
}

const short = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length <= max;
const optional = (value: unknown, check: (v: unknown) => boolean) =>
  value === undefined || value === null || check(value);

function sdpOk(value: unknown, type: 'offer' | 'answer'): boolean {
  return (
    isObject(value) &&
    onlyKeys(value, ['type', 'sdp']) &&
    value.type === type &&
    short(value.sdp, MAX_SDP_CHARS)
  );
}

function candidateOk(value: unknown): boolean {
  if (
    !isObject(value) ||
    !onlyKeys(value, ['candidate', 'sdpMid', 'sdpMLineIndex', 'usernameFragment'])
  )
    return false;
  const { candidate, sdpMid, sdpMLineIndex, usernameFragment } = value;
  const index = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 1024;
  return (
    short(candidate, MAX_CANDIDATE_CHARS) &&
    optional(sdpMid, (v) => short(v, 64)) &&
    optional(sdpMLineIndex, index) &&
    // RTCIceCandidate throws when both are missing
    ((sdpMid !== undefined && sdpMid !== null) ||
      (sdpMLineIndex !== undefined && sdpMLineIndex !== null)) &&
    optional(usernameFragment, (v) => short(v, MAX_TEXT_CHARS))
  );
}

function metadataOk(value: unknown): boolean {
  if (value === undefined) return true;
  try {
    return (JSON.stringify(value) ?? '').length <= MAX_METADATA_CHARS;
  } catch {
    return false;
  }
}

/** The reason `payload` is not what a data connection's OFFER / ANSWER / CANDIDATE carries, or null. */
function payloadProblem(type: 'OFFER' | 'ANSWER' | 'CANDIDATE', payload: unknown): string | null {
  if (!isObject(payload)) return 'payload is not an object';
  if (payload.type !== 'data') return 'not a data connection';
  if (typeof payload.connectionId !== 'string' || !CONNECTION_ID.test(payload.connectionId))
    return 'bad connectionId';
  switch (type) {
    case 'OFFER':
      if (
        !onlyKeys(payload, [
          'type',
          'connectionId',
          'sdp',
          'serialization',
          'reliable',
          'label',
          'metadata',
        ])
      )
        return 'unknown offer field';
      if (!sdpOk(payload.sdp, 'offer')) return 'bad offer sdp';
      if (typeof payload.serialization !== 'string' || !SERIALIZATIONS.has(payload.serialization))
        return 'unknown serialization';
      if (payload.reliable !== undefined && typeof payload.reliable !== 'boolean')
        return 'bad reliable';
      if (payload.label !== undefined && !short(payload.label, MAX_LABEL_CHARS)) return 'bad label';
      return metadataOk(payload.metadata) ? null : 'bad metadata';
    case 'ANSWER':
      if (!onlyKeys(payload, ['type', 'connectionId', 'sdp'])) return 'unknown answer field';
      return sdpOk(payload.sdp, 'answer') ? null : 'bad answer sdp';
    case 'CANDIDATE':
      if (!onlyKeys(payload, ['type', 'connectionId', 'candidate']))
        return 'unknown candidate field';
      return candidateOk(payload.candidate) ? null : 'bad candidate';
  }
}

const fail = (reason: string): SignalCheck => ({ ok: false, reason });

/**
 * A message a client may send to the signalling server: HEARTBEAT, or an OFFER / ANSWER /
 * CANDIDATE of a data connection to `dst`. Everything else is refused, including the types only
 * the server sends (EXPIRE, LEAVE, OPEN…): a client has no business forging them. `src` is not
 * read (the server sets it to the sender's id).
 */
export function checkClientMessage(value: unknown): SignalCheck {
  if (!isObject(value)) return fail('not a JSON object');
  const { type, dst, payload } = value;
  if (type === 'HEARTBEAT')
    return onlyKeys(value, ['type'])
      ? { ok: true, message: { type } }
      : fail('heartbeat with fields');
  if (type !== 'OFFER' && type !== 'ANSWER' && type !== 'CANDIDATE')
    return fail('type not allowed');
  if (!onlyKeys(value, ['type', 'dst', 'payload'])) return fail('unknown field');
  if (typeof dst !== 'string' || !PEER_ID.test(dst)) return fail('bad dst');
  const problem = payloadProblem(type, payload);
  return problem ? fail(problem) : { ok: true, message: { type, dst, payload: payload as Fields } };
}

/**
 * A message a client may accept from the signalling server: what the server says itself (OPEN;
 * ERROR, ID-TAKEN, INVALID-KEY with a `msg`; EXPIRE and LEAVE naming a peer as `src`) and data
 * connection OFFER / ANSWER / CANDIDATE from a peer `src`. For a client whose server is not the
 * Disco relay (or a relay that is not trusted to check): PeerJS reads them all as they are.
 */
export function checkServerMessage(value: unknown): SignalCheck {
  if (!isObject(value)) return fail('not a JSON object');
  const { type, src, payload } = value;
  if (!onlyKeys(value, ['type', 'src', 'dst', 'payload'])) return fail('unknown field');
  switch (type) {
    case 'OPEN':
      return { ok: true, message: { type } };
    case 'ERROR':
    case 'ID-TAKEN':
    case 'INVALID-KEY':
      // PeerJS reads `payload.msg` of an ERROR
      return (type !== 'ERROR' && payload === undefined) ||
        (isObject(payload) && optional(payload.msg, (m) => short(m, MAX_TEXT_CHARS)))
        ? { ok: true, message: { type, ...(isObject(payload) ? { payload } : {}) } }
        : fail('bad server notice');
    case 'EXPIRE':
    case 'LEAVE':
      return typeof src === 'string' && PEER_ID.test(src)
        ? { ok: true, message: { type, src } }
        : fail('bad src');
    case 'OFFER':
    case 'ANSWER':
    case 'CANDIDATE': {
      if (typeof src !== 'string' || !PEER_ID.test(src)) return fail('bad src');
      const problem = payloadProblem(type, payload);
      return problem
        ? fail(problem)
        : { ok: true, message: { type, src, payload: payload as Fields } };
    }
    default:
      return fail('type not allowed');
  }
}
