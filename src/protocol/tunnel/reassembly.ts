import { DiscoError } from '../errors/index.js';
import type { ChunkFrame } from './frames.js';
import { TUNNEL_MAX_BODY_BYTES } from './types.js';

interface Open {
  parts: (Uint8Array | undefined)[];
  received: number;
  bytes: number;
}

/**
 * Collects the chunks of the bodies being received on one data channel, by id. Chunks may come
 * in any order; a repeated or out-of-range index is a protocol error for that message (the
 * channel is reliable and ordered, so a repeat means a broken or hostile sender). Bounds each
 * body to TUNNEL_MAX_BODY_BYTES and all open bodies together to `maxBufferedBytes`.
 */
export class Reassembly {
  readonly #open = new Map<number, Open>();
  readonly #maxBufferedBytes: number;
  #buffered = 0;

  constructor(maxBufferedBytes = 4 * TUNNEL_MAX_BODY_BYTES) {
    this.#maxBufferedBytes = maxBufferedBytes;
  }

  /** Expects `n` (≥ 1) chunks for `id`. */
  begin(id: number, n: number): void {
    this.#open.set(id, { parts: new Array<Uint8Array | undefined>(n), received: 0, bytes: 0 });
  }

  has(id: number): boolean {
    return this.#open.has(id);
  }

  /**
   * Adds one chunk; returns the whole body once the last chunk is in, else undefined. Throws a
   * DiscoError (and forgets the id) when the chunk breaks the rules.
   */
  add(frame: ChunkFrame): Uint8Array | undefined {
    const open = this.#open.get(frame.id);
    if (!open) throw new DiscoError('ERR_INVALID_INPUT', 'Bad tunnel frame: no such body.');
    try {
      if (frame.i >= open.parts.length || open.parts[frame.i] !== undefined)
        throw new DiscoError('ERR_INVALID_INPUT', 'Bad tunnel frame: chunk index.');
      const size = frame.data.byteLength;
      if (open.bytes + size > TUNNEL_MAX_BODY_BYTES)
        throw new DiscoError('ERR_TOO_LARGE', 'The tunnel body is too large.');
      if (this.#buffered + size > this.#maxBufferedBytes)
        throw new DiscoError('ERR_TOO_LARGE', 'Too many tunnel bytes in flight.');
      open.parts[frame.i] = frame.data;
      open.bytes += size;
      this.#buffered += size;
      open.received += 1;
    } catch (err) {
      this.drop(frame.id);
      throw err;
    }
    if (open.received < open.parts.length) return undefined;
    this.drop(frame.id);
    const body = new Uint8Array(open.bytes);
    let at = 0;
    for (const part of open.parts as Uint8Array[]) {
      body.set(part, at);
      at += part.byteLength;
    }
    return body;
  }

  /** Forgets `id` and releases its bytes. */
  drop(id: number): void {
    const open = this.#open.get(id);
    if (!open) return;
    this.#buffered -= open.bytes;
    this.#open.delete(id);
  }

  /** Forgets everything. */
  clear(): void {
    this.#open.clear();
    this.#buffered = 0;
  }
}
