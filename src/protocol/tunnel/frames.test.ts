import { describe, expect, it } from 'vitest';
import { Encoder } from 'cbor-x';
import { isDiscoError } from '../errors/index.js';
import {
  decodeFrame,
  encodeFrame,
  messageFrames,
  readsInlineBodies,
  TUNNEL_CHUNK_BYTES,
  TUNNEL_CONNECT_METADATA,
  TUNNEL_MAX_CHUNKS,
  type Frame,
} from './frames.js';
import { TUNNEL_MAX_BODY_BYTES, TUNNEL_MAX_FRAME_BYTES } from './types.js';

const cbor = new Encoder({ useRecords: false, tagUint8Array: false });
const raw = (value: unknown) => new Uint8Array(cbor.encode(value));
const code = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return isDiscoError(e) ? e.code : `not a DiscoError: ${String(e)}`;
  }
};
const req = {
  t: 'req',
  id: 1,
  method: 'POST',
  path: '/disco/auth/register?x=1',
  headers: {},
  n: 0,
};

describe('tunnel frames', () => {
  it('round-trips every frame type, with exactly its own keys', () => {
    const frames: Frame[] = [
      { t: 'req', id: 7, method: 'GET', path: '/disco/data', headers: { accept: 'a/b' }, n: 2 },
      { t: 'res', id: 0xffffffff, status: 200, headers: {}, n: 0 },
      { t: 'chunk', id: 7, i: 1, data: new Uint8Array([1, 2, 3]) },
      { t: 'cancel', id: 7 },
    ];
    for (const frame of frames) {
      const back = decodeFrame(encodeFrame(frame));
      expect(back).toEqual(frame);
      expect(Object.keys(back).sort()).toEqual(Object.keys(frame).sort());
    }
    const bytes = encodeFrame(frames[0]!);
    expect(decodeFrame(bytes.buffer.slice(0) as ArrayBuffer)).toEqual(frames[0]);
  });

  it('refuses garbage and wrong shapes with ERR_INVALID_INPUT, never a crash', () => {
    const bad: Uint8Array[] = [
      new Uint8Array([]),
      new Uint8Array([0xff, 0x00, 0x13]),
      new Uint8Array(Array.from({ length: 300 }, (_, i) => (i * 7919) & 0xff)),
      new Uint8Array([...encodeFrame({ t: 'cancel', id: 1 }), 0]), // trailing byte
      raw([1, 2, 3]),
      raw('req'),
      raw(null),
      raw({ t: 'nope', id: 1 }),
      raw({ t: 'cancel' }),
      raw({ t: 'cancel', id: 1, extra: true }),
      raw({ t: 'cancel', id: -1 }),
      raw({ t: 'cancel', id: 1.5 }),
      raw({ t: 'cancel', id: 2 ** 32 }),
      raw({ t: 'cancel', id: '1' }),
      raw(new Map<unknown, unknown>([[1, 'cancel']])),
      raw({ ...req, headers: { accept: ['a'] } }),
      raw({ ...req, headers: { 'x-a': 'a\r\nx-b: b' } }),
      raw({ ...req, headers: { 'bad name': 'a' } }),
      raw({ ...req, headers: [] }),
      raw({ ...req, method: 'GET /' }),
      raw({ ...req, path: '//evil.example/x' }),
      raw({ ...req, path: '/\\evil.example' }),
      raw({ ...req, path: 'disco/x' }),
      raw({ ...req, path: '/disco/a b' }),
      raw({ ...req, n: -1 }),
      raw({ t: 'res', id: 1, status: 99, headers: {}, n: 0 }),
      raw({ t: 'res', id: 1, status: 600, headers: {}, n: 0 }),
      raw({ t: 'chunk', id: 1, i: 0, data: 'abc' }),
      raw({ t: 'chunk', id: 1, i: 0, data: new Uint8Array(0) }),
      raw({ t: 'chunk', id: 1, i: 0, data: new Uint8Array(TUNNEL_CHUNK_BYTES + 1) }),
      raw({ t: 'chunk', id: 1, i: TUNNEL_MAX_CHUNKS, data: new Uint8Array(1) }),
    ];
    for (const bytes of bad) expect(code(() => decodeFrame(bytes))).toBe('ERR_INVALID_INPUT');
    expect(code(() => decodeFrame(raw(req)))).toBe('ok');
  });

  it('refuses what is too large with ERR_TOO_LARGE', () => {
    expect(code(() => decodeFrame(new Uint8Array(TUNNEL_MAX_FRAME_BYTES + 1)))).toBe(
      'ERR_TOO_LARGE',
    );
    expect(code(() => decodeFrame(raw({ ...req, n: TUNNEL_MAX_CHUNKS + 1 })))).toBe(
      'ERR_TOO_LARGE',
    );
    const huge = { ...req, headers: { 'x-big': 'a'.repeat(TUNNEL_MAX_FRAME_BYTES) } } as Frame;
    expect(code(() => encodeFrame(huge))).toBe('ERR_TOO_LARGE');
    const head = { t: 'res', id: 1, status: 200, headers: {} } as const;
    expect(code(() => messageFrames(head, new Uint8Array(TUNNEL_MAX_BODY_BYTES + 1)))).toBe(
      'ERR_TOO_LARGE',
    );
  });

  it('cuts a body into frames no larger than the limit', () => {
    const head = { t: 'res', id: 3, status: 200, headers: {} } as const;
    const body = new Uint8Array(TUNNEL_MAX_BODY_BYTES).fill(0xa5);
    const frames = messageFrames(head, body);
    expect(frames).toHaveLength(1 + TUNNEL_MAX_CHUNKS);
    expect(Math.max(...frames.map((f) => f.byteLength))).toBeLessThanOrEqual(
      TUNNEL_MAX_FRAME_BYTES,
    );
    expect(decodeFrame(frames[0]!)).toEqual({ ...head, n: TUNNEL_MAX_CHUNKS });
    expect(messageFrames(head, undefined)).toHaveLength(1);
    expect(messageFrames(head, new Uint8Array(0))).toHaveLength(1);
  });

  describe('version 3: a small answer inside its head', () => {
    const head = { t: 'res', id: 9, status: 200, headers: { 'content-type': 'a/b' } } as const;

    it('round-trips a res with data and n = 0, and refuses every other shape', () => {
      const frame: Frame = { ...head, n: 0, data: new Uint8Array([1, 2, 3]) };
      expect(decodeFrame(encodeFrame(frame))).toEqual(frame);
      const bad = [
        raw({ ...head, n: 1, data: new Uint8Array(1) }),
        raw({ ...head, n: 0, data: new Uint8Array(0) }),
        raw({ ...head, n: 0, data: 'abc' }),
        raw({ ...head, n: 0, data: new Uint8Array(TUNNEL_CHUNK_BYTES + 1) }),
        raw({ ...req, data: new Uint8Array(1) }), // requests never carry it
        raw({ t: 'resWithData', id: 1, status: 200, headers: {}, n: 0, data: new Uint8Array(1) }),
      ];
      for (const bytes of bad) expect(code(() => decodeFrame(bytes))).toBe('ERR_INVALID_INPUT');
    });

    it('frames an answer that fits one chunk as one frame only when asked', () => {
      const body = new Uint8Array(TUNNEL_CHUNK_BYTES).fill(7);
      const one = messageFrames(head, body, true);
      expect(one).toHaveLength(1);
      expect(one[0]!.byteLength).toBeLessThanOrEqual(TUNNEL_MAX_FRAME_BYTES);
      expect(decodeFrame(one[0]!)).toEqual({ ...head, n: 0, data: body });
      expect(messageFrames(head, body)).toHaveLength(2); // versions 1 and 2
      expect(messageFrames(head, new Uint8Array(TUNNEL_CHUNK_BYTES + 1), true)).toHaveLength(3);
      expect(decodeFrame(messageFrames(head, undefined, true)[0]!)).toEqual({ ...head, n: 0 });
      const reqHead = { t: 'req', id: 1, method: 'POST', path: '/disco/x', headers: {} } as const;
      expect(messageFrames(reqHead, new Uint8Array(5), true)).toHaveLength(2);
    });

    it('falls back to head and chunk when headers and data do not fit one frame', () => {
      const big = { ...head, headers: { 'x-big': 'a'.repeat(2000) } };
      const frames = messageFrames(big, new Uint8Array(TUNNEL_CHUNK_BYTES).fill(1), true);
      expect(frames).toHaveLength(2);
      expect(decodeFrame(frames[0]!)).toEqual({ ...big, n: 1 });
    });

    it('is announced by the connection metadata, and only a version of 3 or more counts', () => {
      expect(readsInlineBodies(TUNNEL_CONNECT_METADATA)).toBe(true);
      expect(readsInlineBodies({ tunnel: 4 })).toBe(true);
      for (const m of [undefined, null, {}, { tunnel: 2 }, { tunnel: '3' }, [3], 'tunnel'])
        expect(readsInlineBodies(m)).toBe(false);
    });
  });
});
