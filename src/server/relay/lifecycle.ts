import type { RequestHandler, Response } from 'express';
import { DiscoError } from '../../protocol/errors/index.js';
import { sendError } from './http_errors.js';

/** The signal of one request's work; `done()` must be called when the work ends. */
export interface WorkSignal {
  readonly signal: AbortSignal;
  /** The client went away before an answer was sent. */
  clientGone(): boolean;
  timedOut(): boolean;
  done(): void;
}

/**
 * What the relay has under way (long-polls, callbacks, tunnelled requests), so that `close()`
 * can end it: each gets an AbortSignal that aborts on close, and background work is awaited.
 * (Plain controllers, not `AbortSignal.any` over one long-lived signal: each request's signal is
 * released when it is done.)
 */
export class Lifecycle {
  #closing = false;
  readonly #tasks = new Set<Promise<unknown>>();
  readonly #work = new Set<AbortController>();

  get closing(): boolean {
    return this.#closing;
  }

  /**
   * A signal that aborts after `ms`, when the relay closes, or (given `res`) when the client
   * goes away before its answer.
   */
  work(ms: number, res?: Response): WorkSignal {
    const controller = new AbortController();
    let gone = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, ms);
    const onClose = () => {
      gone = !res!.writableEnded;
      controller.abort();
    };
    res?.once('close', onClose);
    this.#work.add(controller);
    if (this.#closing) controller.abort();
    return {
      signal: controller.signal,
      clientGone: () => gone,
      timedOut: () => timedOut,
      done: () => {
        clearTimeout(timer);
        res?.off('close', onClose);
        this.#work.delete(controller);
      },
    };
  }

  /** Keeps `task` until it settles; `close()` waits for it. */
  track(task: Promise<unknown>): void {
    const settled = task.then(
      () => undefined,
      () => undefined,
    );
    this.#tasks.add(settled);
    void settled.then(() => this.#tasks.delete(settled));
  }

  /** Refuses new requests with 503 once closing. */
  readonly guard: RequestHandler = (_req, res, next) => {
    if (!this.#closing) {
      next();
      return;
    }
    res.set('connection', 'close');
    sendError(res, new DiscoError('ERR_TRANSPORT_FAILED', 'The relay is shutting down.'));
  };

  async close(): Promise<void> {
    this.#closing = true;
    for (const controller of this.#work) controller.abort();
    await Promise.all([...this.#tasks]);
  }
}
