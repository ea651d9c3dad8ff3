import { WebSocket } from 'ws';
import { checkClientMessage } from '../peer/signal_message.js';
import type { Logger } from './log.js';
import type { OfflineQueueBudget, WindowCounter } from './signal_budget.js';

export interface SignalSocketDeps {
  readonly logger: Logger;
  /** Whether a client with this id is connected now (else `peer` would queue the message). */
  readonly isOnline: (id: string) => boolean;
  readonly offline: OfflineQueueBudget;
  /** OFFERs per `<address>><dst>`. */
  readonly offers: WindowCounter;
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

    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event !== 'message') return super.emit(event, ...args);
      const forwarded = this.#check(args[0], args[1]);
      return forwarded ? super.emit('message', forwarded, false) : false;
    }

    #check(data: unknown, isBinary: unknown): Buffer | null {
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
      const out = JSON.stringify(message);
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
