import { DiscoError, toWire } from '../errors/index.js';
import { utf8 } from '../encoding/index.js';
import { decodeFrame, encodeFrame, messageFrames, TUNNEL_MAX_IN_FLIGHT } from './frames.js';
import type { RequestHead } from './frames.js';
import { Reassembly } from './reassembly.js';
import type { TunnelRequest, TunnelResponse } from './types.js';

export interface TunnelServerOptions {
  /** Sends one frame on the data channel. */
  send: (frame: Uint8Array) => void;
  /** Answers one request; `signal` aborts when the asker cancels or the channel closes. */
  handle: (req: TunnelRequest, signal: AbortSignal) => Promise<TunnelResponse>;
  /** Told about frames it drops and answers it cannot send; default: ignore. */
  onError?: (err: unknown) => void;
  /**
   * The asker reads frame version 3 (it opened the channel with TUNNEL_CONNECT_METADATA): an
   * answer whose body fits one chunk goes in one frame. Default false (versions 1 and 2).
   */
  inlineBodies?: boolean;
}

interface Work {
  head: RequestHead;
  abort: AbortController;
}

/**
 * The answering end of the tunnel (the device): reassembles requests, runs the handler, sends
 * the answer back in frames. A handler that throws yields a 500 `server_error` (ERR_INTERNAL)
 * with no detail; a request that breaks the frame rules gets the matching error answer.
 */
export class TunnelServer {
  readonly #opts: TunnelServerOptions;
  readonly #work = new Map<number, Work>();
  readonly #bodies = new Reassembly();
  #closed = false;

  constructor(opts: TunnelServerOptions) {
    this.#opts = opts;
  }

  /** Handles one frame from the data channel; never throws. */
  receive(bytes: Uint8Array | ArrayBuffer): void {
    if (this.#closed) return;
    let frame;
    try {
      frame = decodeFrame(bytes);
    } catch (err) {
      this.#opts.onError?.(err);
      return;
    }
    const work = this.#work.get(frame.id);
    if (frame.t === 'ping') {
      // Liveness (frame version 2): answered at once, whatever else is in flight.
      try {
        this.#opts.send(encodeFrame({ t: 'pong', id: frame.id }));
      } catch (err) {
        this.#opts.onError?.(err);
      }
    } else if (frame.t === 'cancel') {
      work?.abort.abort(new DiscoError('ERR_ABORTED', 'Cancelled by the asker.'));
      this.#work.delete(frame.id);
      this.#bodies.drop(frame.id);
    } else if (frame.t === 'req') {
      if (work) return this.#opts.onError?.(new DiscoError('ERR_INVALID_INPUT', 'Id in use.'));
      if (this.#work.size >= TUNNEL_MAX_IN_FLIGHT)
        return this.#answer(frame.id, errorAnswer(new DiscoError('ERR_TRANSPORT_FAILED', 'Busy.')));
      this.#work.set(frame.id, { head: frame, abort: new AbortController() });
      if (frame.n === 0) this.#run(frame.id, undefined);
      else this.#bodies.begin(frame.id, frame.n);
    } else if (frame.t === 'chunk' && work && this.#bodies.has(frame.id)) {
      let body;
      try {
        body = this.#bodies.add(frame);
      } catch (err) {
        this.#work.delete(frame.id);
        return this.#answer(frame.id, errorAnswer(err));
      }
      if (body) this.#run(frame.id, body);
    } else {
      this.#opts.onError?.(new DiscoError('ERR_INVALID_INPUT', `Unexpected ${frame.t} frame.`));
    }
  }

  /** Aborts every running handler and ignores further frames (the channel closed). */
  close(): void {
    this.#closed = true;
    const reason = new DiscoError('ERR_DEVICE_UNREACHABLE', 'The data channel closed.');
    for (const work of this.#work.values()) work.abort.abort(reason);
    this.#work.clear();
    this.#bodies.clear();
  }

  #run(id: number, body: Uint8Array | undefined): void {
    const work = this.#work.get(id)!;
    const { method, path, headers } = work.head;
    const req: TunnelRequest = body ? { method, path, headers, body } : { method, path, headers };
    const answer = (res: TunnelResponse) => {
      if (this.#work.get(id) !== work) return; // cancelled meanwhile
      this.#work.delete(id);
      this.#answer(id, res);
    };
    new Promise<TunnelResponse>((resolve) =>
      resolve(this.#opts.handle(req, work.abort.signal)),
    ).then(answer, (err: unknown) => {
      this.#opts.onError?.(err);
      answer(errorAnswer(new Error('handler failed')));
    });
  }

  #answer(id: number, res: TunnelResponse): void {
    const inline = this.#opts.inlineBodies === true;
    let frames;
    try {
      const { status, headers, body } = res;
      frames = messageFrames({ t: 'res', id, status, headers }, body, inline);
    } catch (err) {
      this.#opts.onError?.(err); // the handler's answer cannot be framed: too large, bad headers
      const { status, headers, body } = errorAnswer(new Error('unframeable answer'));
      frames = messageFrames({ t: 'res', id, status, headers }, body, inline);
    }
    try {
      for (const frame of frames) this.#opts.send(frame);
    } catch (err) {
      this.#opts.onError?.(err);
    }
  }
}

/** The wire answer for `err` (RFC 6749 §5.2 shape; anything but a DiscoError is ERR_INTERNAL). */
function errorAnswer(err: unknown): TunnelResponse {
  const { status, body } = toWire(err);
  const headers = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  return { status, headers, body: utf8.encode(JSON.stringify(body)) };
}
