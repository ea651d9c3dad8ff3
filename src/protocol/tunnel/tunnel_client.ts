import { DiscoError, isDiscoError } from '../errors/index.js';
import { decodeFrame, encodeFrame, messageFrames, TUNNEL_MAX_IN_FLIGHT } from './frames.js';
import type { ResponseHead } from './frames.js';
import { Reassembly } from './reassembly.js';
import type { TunnelRequest, TunnelResponse } from './types.js';

export interface TunnelClientOptions {
  /** Sends one frame on the data channel (may throw when the channel is gone). */
  send: (frame: Uint8Array) => void;
  /** Whole-request deadline, from `request()` to the last body chunk. */
  timeoutMs: number;
  /** Told about frames that belong to no request (garbage, unknown ids); default: ignore. */
  onError?: (err: DiscoError) => void;
  /**
   * Liveness (frame version 2): a `ping` every `everyMs`; once the device has answered one, a
   * silence of `deadMs` closes the client (every request fails with ERR_DEVICE_UNREACHABLE) and
   * calls `onDead`, so the caller drops the channel. A device that never answers a ping speaks
   * version 1: it is never timed out this way. Default: no pings.
   */
  heartbeat?: { everyMs: number; deadMs: number; onDead?: (reason: string) => void };
  /** Milliseconds now, for the heartbeat (default `Date.now`). */
  now?: () => number;
}

interface Pending {
  resolve: (res: TunnelResponse) => void;
  reject: (err: DiscoError) => void;
  head?: ResponseHead;
  cleanup: () => void;
}

/**
 * The asking end of the tunnel (the relay, or an SDK): sends requests as frames, reassembles the
 * answers. `receive` never throws; a frame that breaks the rules fails only its own request.
 */
export class TunnelClient {
  readonly #opts: TunnelClientOptions;
  readonly #pending = new Map<number, Pending>();
  readonly #bodies = new Reassembly();
  #nextId = 0;
  #closed: DiscoError | undefined;
  #ping = 0;
  /** When the last pong came; undefined until one has (a version-1 device never sends one). */
  #lastPong: number | undefined;
  #beat: ReturnType<typeof setInterval> | undefined;

  constructor(opts: TunnelClientOptions) {
    this.#opts = opts;
    if (opts.heartbeat) this.#beat = setInterval(() => this.#tick(), opts.heartbeat.everyMs);
  }

  /** True once the device has answered a ping (it speaks frame version 2). */
  get answersPings(): boolean {
    return this.#lastPong !== undefined;
  }

  #tick(): void {
    const hb = this.#opts.heartbeat!;
    const now = (this.#opts.now ?? Date.now)();
    if (this.#lastPong !== undefined && now - this.#lastPong > hb.deadMs) {
      const reason = `The device stopped answering (no pong for ${Math.round(hb.deadMs / 1000)} s).`;
      this.close(reason);
      hb.onDead?.(reason);
      return;
    }
    try {
      this.#opts.send(encodeFrame({ t: 'ping', id: this.#ping }));
      this.#ping = (this.#ping + 1) >>> 0;
    } catch {
      // the channel is gone: its close handler closes this client
    }
  }

  /** Number of requests waiting for their answer. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /**
   * Sends `req` and resolves with the device's answer. Rejects with ERR_TIMEOUT, ERR_ABORTED,
   * ERR_DEVICE_UNREACHABLE (closed channel), ERR_TOO_LARGE, ERR_INVALID_INPUT (bad answer) or
   * ERR_TRANSPORT_FAILED (more than TUNNEL_MAX_IN_FLIGHT requests at once).
   */
  request(req: TunnelRequest, signal?: AbortSignal): Promise<TunnelResponse> {
    if (this.#closed) return Promise.reject(this.#closed);
    if (signal?.aborted) return Promise.reject(aborted());
    if (this.#pending.size >= TUNNEL_MAX_IN_FLIGHT)
      return Promise.reject(new DiscoError('ERR_TRANSPORT_FAILED', 'Too many tunnel requests.'));
    return new Promise<TunnelResponse>((resolve, reject) => {
      const id = this.#allocateId();
      const { method, path, headers, body } = req;
      // throws ERR_TOO_LARGE / ERR_INVALID_INPUT before anything is sent, rejecting the promise
      const frames = messageFrames({ t: 'req', id, method, path, headers }, body);
      const onAbort = () => this.#fail(id, aborted(), true);
      const timer = setTimeout(
        () =>
          this.#fail(id, new DiscoError('ERR_TIMEOUT', 'The device did not answer in time.'), true),
        this.#opts.timeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#bodies.drop(id);
      };
      this.#pending.set(id, { resolve, reject, cleanup });
      try {
        for (const frame of frames) this.#opts.send(frame);
      } catch (cause) {
        const err = new DiscoError('ERR_DEVICE_UNREACHABLE', 'The data channel failed.', { cause });
        this.#fail(id, err, false);
      }
    });
  }

  /** Handles one frame from the data channel. */
  receive(bytes: Uint8Array | ArrayBuffer): void {
    let frame;
    try {
      frame = decodeFrame(bytes);
    } catch (err) {
      this.#opts.onError?.(err as DiscoError);
      return;
    }
    if (frame.t === 'pong') {
      this.#lastPong = (this.#opts.now ?? Date.now)();
      return;
    }
    const p = this.#pending.get(frame.id);
    if (!p || (frame.t !== 'res' && frame.t !== 'chunk')) {
      // Late frames of a request that timed out or was cancelled are normal.
      const why = p ? 'unexpected frame type' : `unknown id ${frame.id}`;
      this.#opts.onError?.(new DiscoError('ERR_INVALID_INPUT', `Bad tunnel frame: ${why}.`));
      return;
    }
    try {
      if (frame.t === 'res') {
        if (p.head) throw new DiscoError('ERR_INVALID_INPUT', 'Bad tunnel frame: second head.');
        p.head = frame;
        if (frame.data) this.#settle(frame.id, p, frame.data);
        else if (frame.n === 0) this.#settle(frame.id, p, new Uint8Array(0));
        else this.#bodies.begin(frame.id, frame.n);
        return;
      }
      if (!p.head)
        throw new DiscoError('ERR_INVALID_INPUT', 'Bad tunnel frame: chunk before head.');
      const body = this.#bodies.add(frame);
      if (body) this.#settle(frame.id, p, body);
    } catch (err) {
      this.#fail(frame.id, isDiscoError(err) ? err : internal(err), true);
    }
  }

  /** Fails every waiting request with ERR_DEVICE_UNREACHABLE; later requests fail at once. */
  close(reason = 'The connection to the device closed.'): void {
    clearInterval(this.#beat);
    this.#closed ??= new DiscoError('ERR_DEVICE_UNREACHABLE', reason);
    for (const id of [...this.#pending.keys()]) this.#fail(id, this.#closed, false);
    this.#bodies.clear();
  }

  #settle(id: number, p: Pending, body: Uint8Array): void {
    this.#pending.delete(id);
    p.cleanup();
    const { status, headers } = p.head!;
    p.resolve({ status, headers, body });
  }

  #fail(id: number, err: DiscoError, tellDevice: boolean): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    p.cleanup();
    p.reject(err);
    if (!tellDevice) return;
    try {
      this.#opts.send(encodeFrame({ t: 'cancel', id }));
    } catch {
      // the channel is gone: nothing left to cancel
    }
  }

  #allocateId(): number {
    while (this.#pending.has(this.#nextId)) this.#nextId = (this.#nextId + 1) >>> 0;
    const id = this.#nextId;
    this.#nextId = (this.#nextId + 1) >>> 0;
    return id;
  }
}

const aborted = () => new DiscoError('ERR_ABORTED', 'The request was aborted.');
const internal = (cause: unknown) =>
  new DiscoError('ERR_INTERNAL', 'Tunnel client failure.', { cause });
