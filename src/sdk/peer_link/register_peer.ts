import type { Peer } from 'peerjs';
import { DiscoError } from '../../protocol/errors/index.js';
import type { SignallingOptions } from './signalling_options.js';

/** PeerJS's `Peer` class: the browser's (`import { Peer } from 'peerjs'`) or Node's (`loadPeerJs`). */
export type PeerClass = typeof Peer;

/** Makes this end's peer, registered under `id` with `token` (the link's own random token). */
export type CreatePeer = (id: string, token: string) => Promise<Peer>;

/**
 * A PeerJS peer registered at the signalling server under `id`, resolved once the server has
 * accepted it. `config` is the RTCConfiguration for its connections (`rtcConfiguration`); PeerJS's
 * own defaults (public Google and peerjs.com servers) are never used. ERR_TRANSPORT_FAILED when
 * the server is unreachable, refuses the id (taken, bad token) or does not answer within
 * `serverTimeoutMs`.
 */
export async function registerPeer(
  PeerCtor: PeerClass,
  o: SignallingOptions & { id: string; token?: string },
  config: RTCConfiguration,
): Promise<Peer> {
  const peer = new PeerCtor(o.id, {
    host: o.host,
    port: o.port,
    path: o.path,
    secure: o.secure ?? false,
    key: o.key ?? 'peerjs',
    ...(o.token === undefined ? {} : { token: o.token }),
    config,
    debug: 0,
  });
  await new Promise<void>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      peer.off('open', onOpen);
      peer.destroy();
      reject(new DiscoError('ERR_TRANSPORT_FAILED', `PeerJS server: ${why}.`));
    };
    const onOpen = () => {
      clearTimeout(timer);
      peer.off('error', onError);
      resolve();
    };
    const onError = (err: { type: string; message: string }) => fail(`${err.type} ${err.message}`);
    // npm `peer` sends no OPEN to a second socket that presents a live id with the same token
    const timer = setTimeout(() => fail('no OPEN (id still held?)'), o.serverTimeoutMs ?? 10_000);
    peer.once('open', onOpen);
    peer.once('error', onError);
  });
  return peer;
}
