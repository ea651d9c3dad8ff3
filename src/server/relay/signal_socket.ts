import { WebSocket } from 'ws';
import { checkClientMessage } from '../peer/signal_message.js';
import type { SignalMessage as ClientMessage } from '../peer/signal_message.js';
import type { Logger } from './log.js';
import type { RoutedMessage } from './peer_directory.js';
import type { OfflineQueueBudget, WindowCounter } from './signal_budget.js';

export interface SignalSocketDeps {
  readonly logger: Logger;
  /** Whether a client with this id is connected now (else `peer` would queue the message). */
  readonly isOnline: (id: string) => boolean;
  readonly offline: OfflineQueueBudget;
  /** OFFERs per `<address>><dst>`. */
  readonly offers: WindowCounter;
  /** In a cluster: where a message for a peer of another process goes (issue #14). */
  readonly route?: SignalRoute;
}

/** How a cluster process reaches peers connected to the others (`PeerDirectory`). */
export interface SignalRoute {
  /** This process's id in the directory. */
  readonly self: string;
  /** The process holding `id`'s socket, or null. Rejects while Redis is down. */
  locate(id: string): Promise<string | null>;
  /** Hands `message` to `processId`, which delivers it to its socket for `message.dst`. */
  forward(processId: string, message: RoutedMessage): Promise<void>;
}

/** A signalling socket, with what its handshake established. */
export interface SignalSocket extends WebSocket {
  peerId: string;
  /** Its client address as the rate limits key it (`addressKey`). */
  address: string;
}

function text(data: unknown): string | null {
  if (Buffer.isBuffer(data)) return data.toString();
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]).toString();
  return null;
}

/**
 * The WebSocket class of the relay's signalling server (`ws`'s `WebSocket` option): every
 * message a client sends is checked (`checkClientMessage`) and rewritten with only its checked
 * fields before npm `peer` reads it; a bad one is dropped and logged, never forwarded
 * (issue #12.9). An OFFER beyond the per-source budget, or a message to an offline id beyond
 * the queue budget, is dropped too (issue #12.11, #12.13); a dropped OFFER is answered with
 * EXPIRE at once, PeerJS's "peer-unavailable", so the caller does not wait for nothing.
 */
export function signalSocketClass(deps: SignalSocketDeps): typeof WebSocket {
  return class RelaySignalSocket extends WebSocket implements SignalSocket {
    peerId = '';
    address = 'unknown';
    #dropped = 0;
    /** Messages waiting for a directory look-up: later ones wait too, so order is kept. */
    #pending = 0;
    #chain: Promise<void> = Promise.resolve();

    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event !== 'message') return super.emit(event, ...args);
      const checked = this.#check(args[0], args[1]);
      if (!checked) return false;
      const { route } = deps;
      const { message } = checked;
      if (
        !route ||
        message.dst === undefined ||
        (this.#pending === 0 && deps.isOnline(message.dst))
      ) {
        const out = this.#local(checked.message, checked.out);
        return out ? super.emit('message', out, false) : false;
      }
      this.#pending++;
      this.#chain = this.#chain
        .then(() => this.#route(route, message, checked.out))
        .catch(() => undefined)
        .finally(() => this.#pending--);
      return true;
    }

    /**
     * A message for a peer not connected here: handed to the process that holds it, or, when
     * none does (or Redis is down), kept in this process's offline queue as in one process.
     */
    async #route(route: SignalRoute, message: ClientMessage, out: string): Promise<void> {
      const dst = message.dst!;
      if (!deps.isOnline(dst)) {
        const owner = await route.locate(dst).catch(() => null);
        if (owner !== null && owner !== route.self) {
          const routed = { type: message.type, src: this.peerId, dst, payload: message.payload };
          try {
            await route.forward(owner, routed);
          } catch {
            if (message.type === 'OFFER') this.#expire(dst);
            this.#drop('shared store unavailable', message.type);
          }
          return;
        }
      }
      const local = this.#local(message, out);
      if (local) super.emit('message', local, false);
    }

    /** What one process does with a checked message: forward, or queue within the budget. */
    #local(message: ClientMessage, out: string): Buffer | null {
      if (
        message.dst !== undefined &&
        !deps.isOnline(message.dst) &&
        !deps.offline.take(message.dst, this.address, out.length)
      ) {
        if (message.type === 'OFFER') this.#expire(message.dst);
        return this.#drop('offline queue full', message.type);
      }
      return Buffer.from(out);
    }

    #check(data: unknown, isBinary: unknown): { message: ClientMessage; out: string } | null {
      const raw = isBinary === false ? text(data) : null;
      if (raw === null) return this.#drop('not text');
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        return this.#drop('not JSON');
      }
      const check = checkClientMessage(value);
      if (!check.ok) return this.#drop(check.reason);
      const { message } = check;
      if (message.type === 'OFFER' && !deps.offers.hit(`${this.address}>${message.dst}`)) {
        this.#expire(message.dst!);
        return this.#drop('too many offers to one peer', message.type);
      }
      return { message, out: JSON.stringify(message) };
    }

    #expire(dst: string): void {
      this.send(JSON.stringify({ type: 'EXPIRE', src: dst, dst: this.peerId }));
    }

    /** Logs the first drops of a socket, then every hundredth: a flood must not flood the log. */
    #drop(reason: string, type?: string): null {
      this.#dropped++;
      if (this.#dropped <= 5 || this.#dropped % 100 === 0)
        deps.logger.log('warn', 'signal.dropped', {
          peer_id: this.peerId,
          type: type ?? null,
          reason,
          dropped: this.#dropped,
        });
      return null;
    }
  };
}
