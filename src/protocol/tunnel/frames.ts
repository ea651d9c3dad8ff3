import { Encoder } from 'cbor-x';
import { DiscoError } from '../errors/index.js';
import { TUNNEL_MAX_BODY_BYTES, TUNNEL_MAX_FRAME_BYTES } from './types.js';

/**
 * How a tunnel message crosses one data channel. Every frame is one CBOR map (RFC 8949, text
 * keys, no tags) in one data-channel message (PeerJS `raw`, an ordered channel), at most
 * TUNNEL_MAX_FRAME_BYTES. A request (`req`, asker → device) or answer (`res`, device → asker) is
 * a head whose `n` counts its body chunks, then `n` `chunk` frames of the same `id` with `i` =
 * 0…n-1 (no chunks: no body). Messages of different ids may interleave. `cancel` (asker →
 * device) drops an id. Ids are chosen by the asker, unsigned 32-bit, unique while in flight.
 *
 * Version 2 adds `ping` (asker → device) and `pong` (device → asker, the same `id`: a sequence
 * number, not a request id), so a device that silently lost its network is noticed within
 * seconds. A version-1 device ignores `ping` as an unknown frame; the asker holds a channel to
 * its pongs only once one has come (docs/wire/tunnel.md "Liveness").
 *
 * Version 3 lets a `res` carry its whole body as `data` (then `n` = 0) when it fits one chunk:
 * one data-channel message per small answer instead of two. A device sends it only to an asker
 * that announced version 3 when it opened the channel (TUNNEL_CONNECT_METADATA), so version-1
 * and 2 askers, which refuse a head with an unknown key, never see it.
 */
export type Frame = RequestHead | ResponseHead | ChunkFrame | CancelFrame | PingFrame | PongFrame;

export interface RequestHead {
  t: 'req';
  id: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  n: number;
}
export interface ResponseHead {
  t: 'res';
  id: number;
  status: number;
  headers: Record<string, string>;
  n: number;
  /** Version 3: the whole body (1…TUNNEL_CHUNK_BYTES bytes), with `n` = 0. */
  data?: Uint8Array;
}
export interface ChunkFrame {
  t: 'chunk';
  id: number;
  i: number;
  data: Uint8Array;
}
export interface CancelFrame {
  t: 'cancel';
  id: number;
}
export interface PingFrame {
  t: 'ping';
  id: number;
}
export interface PongFrame {
  t: 'pong';
  id: number;
}

/** Body bytes per chunk frame: a frame's CBOR overhead is under 40 bytes, 1 KiB is headroom. */
export const TUNNEL_CHUNK_BYTES = TUNNEL_MAX_FRAME_BYTES - 1024;
/** Most chunks one message may announce. */
export const TUNNEL_MAX_CHUNKS = Math.ceil(TUNNEL_MAX_BODY_BYTES / TUNNEL_CHUNK_BYTES);
/** Most messages one end keeps open at a time, per data channel. */
export const TUNNEL_MAX_IN_FLIGHT = 64;
/**
 * The PeerJS metadata an asker opens its data connection with: it reads frame version 3 (a
 * small answer's body inside its `res` head). Metadata, because the frames themselves have no
 * field an older device would not refuse.
 */
export const TUNNEL_CONNECT_METADATA = { tunnel: 3 } as const;

/** Whether a data connection's PeerJS metadata says its asker reads frame version 3. */
export function readsInlineBodies(metadata: unknown): boolean {
  return isPlain(metadata) && typeof metadata.tunnel === 'number' && metadata.tunnel >= 3;
}

const cbor = new Encoder({ useRecords: false, tagUint8Array: false });
const KEYS = {
  req: ['t', 'id', 'method', 'path', 'headers', 'n'],
  res: ['t', 'id', 'status', 'headers', 'n'],
  resWithData: ['t', 'id', 'status', 'headers', 'n', 'data'],
  chunk: ['t', 'id', 'i', 'data'],
  cancel: ['t', 'id'],
  ping: ['t', 'id'],
  pong: ['t', 'id'],
} as const;
// RFC 9110 §5.6.2 token; header values without CR, LF or NUL (§5.5).
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BAD_VALUE = /[\r\n\0]/;
// An absolute path of printable ASCII without space or `\` (RFC 3986 §3.3, percent-encoded):
// `//host` or `/\host` would make the device's fetch leave its own origin.
const PATH = /^\/(?!\/)[!-[\]-~]*$/;

const invalid = (why: string) => new DiscoError('ERR_INVALID_INPUT', `Bad tunnel frame: ${why}.`);
const isUint = (v: unknown, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' &&
  v !== null &&
  [Object.prototype, null].includes(Object.getPrototypeOf(v) as object | null);

function checkData(data: unknown, what: string): void {
  if (!(data instanceof Uint8Array) || data.byteLength === 0) throw invalid(`${what} data`);
  if (data.byteLength > TUNNEL_CHUNK_BYTES) throw invalid(`${what} size`);
}

function checkHeaders(v: unknown): void {
  if (!isPlain(v)) throw invalid('headers');
  for (const [k, value] of Object.entries(v)) {
    if (!TOKEN.test(k) || typeof value !== 'string' || BAD_VALUE.test(value))
      throw invalid('header');
  }
}

/** Checks that `v` is exactly a Frame: known `t`, exactly its keys, each within range. */
function checkFrame(v: unknown): Frame {
  if (!isPlain(v) || typeof v.t !== 'string' || !Object.hasOwn(KEYS, v.t) || v.t === 'resWithData')
    throw invalid('type');
  const inline = v.t === 'res' && Object.hasOwn(v, 'data');
  const keys: readonly string[] = inline ? KEYS.resWithData : KEYS[v.t as keyof typeof KEYS];
  const own = Object.keys(v);
  if (own.length !== keys.length || !own.every((k) => keys.includes(k))) throw invalid('keys');
  if (!isUint(v.id, 0xffffffff)) throw invalid('id');
  if (v.t === 'req' || v.t === 'res') {
    checkHeaders(v.headers);
    if (!isUint(v.n, Number.MAX_SAFE_INTEGER)) throw invalid('n');
    if (v.n > TUNNEL_MAX_CHUNKS)
      throw new DiscoError('ERR_TOO_LARGE', 'The tunnel body is too large.');
  }
  if (v.t === 'req') {
    if (typeof v.method !== 'string' || v.method.length > 16 || !TOKEN.test(v.method))
      throw invalid('method');
    if (typeof v.path !== 'string' || v.path.length > 8192 || !PATH.test(v.path))
      throw invalid('path');
  }
  if (v.t === 'res' && !(isUint(v.status, 599) && v.status >= 200)) throw invalid('status');
  if (inline) {
    if (v.n !== 0) throw invalid('n with data');
    checkData(v.data, 'head');
  }
  if (v.t === 'chunk') {
    if (!isUint(v.i, TUNNEL_MAX_CHUNKS - 1)) throw invalid('chunk index');
    checkData(v.data, 'chunk');
  }
  return v as unknown as Frame;
}

/** Encodes one frame; ERR_INVALID_INPUT if it is not a valid frame, ERR_TOO_LARGE past the frame limit. */
export function encodeFrame(frame: Frame): Uint8Array {
  checkFrame(frame);
  const out = cbor.encode(frame) as unknown as Uint8Array;
  if (out.byteLength > TUNNEL_MAX_FRAME_BYTES)
    throw new DiscoError('ERR_TOO_LARGE', 'The tunnel frame is too large (headers?).');
  return new Uint8Array(out); // a copy: the encoder may reuse its buffer
}

/**
 * Decodes and validates one frame from the data channel. Never trusts the peer: anything but
 * exactly one well-formed frame is ERR_INVALID_INPUT (ERR_TOO_LARGE past the size limits).
 */
export function decodeFrame(bytes: Uint8Array | ArrayBuffer): Frame {
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  if (!(view instanceof Uint8Array)) throw invalid('not bytes');
  if (view.byteLength > TUNNEL_MAX_FRAME_BYTES)
    throw new DiscoError('ERR_TOO_LARGE', 'The tunnel frame is too large.');
  let value: unknown;
  try {
    value = cbor.decode(view);
  } catch (cause) {
    throw new DiscoError('ERR_INVALID_INPUT', 'Bad tunnel frame: not CBOR.', { cause });
  }
  return checkFrame(value);
}

/**
 * The frames of one message: its head, then its body cut into chunks (none for an empty body).
 * With `inline` (the asker reads version 3), an answer whose body fits one chunk is one frame.
 */
export function messageFrames(
  head: Omit<RequestHead, 'n'> | Omit<ResponseHead, 'n' | 'data'>,
  body: Uint8Array | undefined,
  inline = false,
): Uint8Array[] {
  const length = body?.byteLength ?? 0;
  if (length > TUNNEL_MAX_BODY_BYTES)
    throw new DiscoError('ERR_TOO_LARGE', 'The tunnel body is too large.');
  if (inline && head.t === 'res' && body && length > 0 && length <= TUNNEL_CHUNK_BYTES) {
    try {
      return [encodeFrame({ ...head, n: 0, data: body })];
    } catch (err) {
      // large headers and a full chunk may not fit one frame: then head and chunk as before
      if (!(err instanceof DiscoError && err.code === 'ERR_TOO_LARGE')) throw err;
    }
  }
  const n = Math.ceil(length / TUNNEL_CHUNK_BYTES);
  const frames = [encodeFrame({ ...head, n })];
  for (let i = 0; i < n && body; i++) {
    const data = body.subarray(i * TUNNEL_CHUNK_BYTES, (i + 1) * TUNNEL_CHUNK_BYTES);
    frames.push(encodeFrame({ t: 'chunk', id: head.id, i, data }));
  }
  return frames;
}
