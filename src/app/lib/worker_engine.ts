import {
  parseWorkerToPage,
  type EngineRequestMessage,
  type PageToWorker,
  type WorkerToPage,
} from '../../browser/messages.js';

/** How long a worker may take to say it answers ENGINE_REQUEST (it may have to start first). */
const HELLO_TIMEOUT_MS = 5_000;
/**
 * A worker busy with a request says so every 2 s (ENGINE_WORKING; a held poll lasts up to 20 s);
 * silent this long, it was stopped mid-request and the request gets 504 (the SDK asks again).
 */
const SILENCE_MS = 6_000;

export interface WorkerAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

type Reply = Extract<WorkerToPage, { type: 'ENGINE_READY' | 'ENGINE_RESPONSE' }>;

/** Posts one message to the worker with a port of its own; resolves with the first valid answer. */
function ask(
  worker: ServiceWorker,
  message: PageToWorker,
  transfer: Transferable[],
  timeoutMs: number,
): Promise<Reply | undefined> {
  const { port1, port2 } = new MessageChannel();
  return new Promise((resolve) => {
    const done = (reply: Reply | undefined) => {
      clearTimeout(timer);
      port1.close();
      resolve(reply);
    };
    let timer = setTimeout(() => done(undefined), timeoutMs);
    port1.onmessage = (event: MessageEvent) => {
      const reply = parseWorkerToPage(event.data);
      if (reply?.type === 'ENGINE_READY' || reply?.type === 'ENGINE_RESPONSE') done(reply);
      else if (reply?.type === 'ENGINE_WORKING') {
        clearTimeout(timer);
        timer = setTimeout(() => done(undefined), timeoutMs);
      }
    };
    worker.postMessage(message, [port2, ...transfer]);
  });
}

/**
 * Hands tunnelled requests to the service worker over a MessageChannel (docs/wire/tunnel.md),
 * bytes transferred, instead of `fetch('/disco/…')`: no fetch dispatch, and no console line for
 * every 4xx answer the protocol gives (`authorization_pending` while a company waits).
 *
 * Only a worker that said ENGINE_READY to a hello gets requests (a hello has no effect, so its
 * timeout is harmless); for any other, `request` resolves `undefined` and the caller fetches.
 */
export class WorkerEngine {
  readonly #ready = new WeakMap<ServiceWorker, Promise<boolean>>();

  async request(req: EngineRequestMessage): Promise<WorkerAnswer | undefined> {
    const worker = navigator.serviceWorker?.controller;
    if (!worker || !(await this.#speaks(worker))) return undefined;
    const reply = await ask(
      worker,
      { type: 'ENGINE_REQUEST', request: req },
      req.body ? [req.body] : [],
      SILENCE_MS,
    );
    if (reply?.type === 'ENGINE_RESPONSE')
      return { status: reply.status, headers: reply.headers, body: reply.body };
    return {
      status: 504,
      headers: { 'content-type': 'application/json' },
      body: '{"error":"temporarily_unavailable","code":"ERR_DEVICE_UNREACHABLE"}',
    };
  }

  #speaks(worker: ServiceWorker): Promise<boolean> {
    let ready = this.#ready.get(worker);
    if (!ready) {
      ready = ask(worker, { type: 'ENGINE_HELLO' }, [], HELLO_TIMEOUT_MS).then(
        (reply) => reply?.type === 'ENGINE_READY',
      );
      this.#ready.set(worker, ready);
      // A worker that was slow to start may answer the next time.
      void ready.then((ok) => ok || this.#ready.delete(worker));
    }
    return ready;
  }
}
