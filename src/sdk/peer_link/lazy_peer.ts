import type { Peer } from 'peerjs';
import { DiscoError } from '../../protocol/errors/index.js';

const closed = () => new DiscoError('ERR_DEVICE_UNREACHABLE', 'The device link is closed.');

/**
 * One peer, registered on first use and registered again (by `create`, so with the same id and
 * token) on the next use after it lost the signalling server: without it no new connection can
 * be made, and connections already open fail and are reopened by their owner.
 */
export class LazyPeer {
  readonly #create: () => Promise<Peer>;
  #peer: Promise<Peer> | undefined;
  #closed = false;

  constructor(create: () => Promise<Peer>) {
    this.#create = create;
  }

  /** The registered peer; ERR_TRANSPORT_FAILED when the signalling server cannot be reached. */
  get(): Promise<Peer> {
    if (this.#closed) return Promise.reject(closed());
    if (this.#peer) return this.#peer;
    const made = this.#create().then((peer) => {
      if (this.#closed) {
        peer.destroy();
        throw closed();
      }
      const reset = () => {
        if (this.#peer === made) this.#peer = undefined;
        setTimeout(() => peer.destroy(), 0); // not from inside PeerJS's own destroy(); no-op then
      };
      peer.on('disconnected', reset);
      peer.on('close', reset);
      peer.on('error', () => {}); // per-connection errors are handled where they happen
      return peer;
    });
    made.catch(() => {
      if (this.#peer === made) this.#peer = undefined;
    });
    this.#peer = made;
    return made;
  }

  /** Leaves the signalling server and closes every connection of the peer, for good. */
  async destroy(): Promise<void> {
    this.#closed = true;
    const peer = await this.#peer?.catch(() => undefined);
    peer?.destroy();
  }
}
