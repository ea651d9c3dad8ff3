import type { DataConnection, Peer } from 'peerjs';
import { DiscoError } from '../../protocol/errors/index.js';

const unreachable = (why: string) =>
  new DiscoError('ERR_DEVICE_UNREACHABLE', `The device cannot be reached: ${why}.`);

/**
 * Opens a PeerJS data connection (`raw` serialization: each message is one tunnel frame;
 * `reliable`: an ordered channel) to `peerId`. ERR_DEVICE_UNREACHABLE when the signalling server
 * answers EXPIRE for that id (PeerJS `peer-unavailable`), when the connection fails or closes,
 * when `cancel` aborts, or after `timeoutMs`: PeerJS emits nothing at all when the WebRTC
 * connection cannot be made (no route, no media permission in Chromium), so the timer is the
 * only sure end.
 */
export function openDataConnection(
  peer: Peer,
  peerId: string,
  timeoutMs: number,
  cancel?: AbortSignal,
): Promise<DataConnection> {
  if (cancel?.aborted) return Promise.reject(unreachable('the link is closed'));
  if (peer.destroyed || peer.disconnected)
    return Promise.reject(unreachable('not connected to the signalling server'));
  const conn = peer.connect(peerId, { serialization: 'raw', reliable: true });
  return new Promise<DataConnection>((resolve, reject) => {
    // The server's EXPIRE names the unknown peer as `src`; PeerJS's own error only as text.
    const onServerMessage = (msg: { type?: unknown; src?: unknown }) => {
      if (msg.type === 'EXPIRE' && msg.src === peerId) done(unreachable('it is not online'));
    };
    const onOpen = () => done();
    const onError = (err: { type?: unknown }) => done(unreachable(`WebRTC ${String(err.type)}`));
    const onClose = () => done(unreachable('the connection closed'));
    const onCancel = () => done(unreachable('the attempt was cancelled'));
    const timer = setTimeout(() => done(unreachable('no connection in time')), timeoutMs);
    function done(err?: DiscoError): void {
      clearTimeout(timer);
      peer.socket.off('message', onServerMessage);
      cancel?.removeEventListener('abort', onCancel);
      conn.off('open', onOpen);
      conn.off('error', onError);
      conn.off('close', onClose);
      if (!err) return resolve(conn);
      conn.close();
      reject(err);
    }
    peer.socket.on('message', onServerMessage);
    cancel?.addEventListener('abort', onCancel, { once: true });
    conn.once('open', onOpen);
    conn.once('error', onError);
    conn.once('close', onClose);
  });
}

/**
 * {@link openDataConnection} with a second, parallel attempt when the first has not opened
 * within half of `timeoutMs`; the first to open wins and the other is closed. A WebRTC handshake
 * now and then stalls for good (seen with node-datachannel 0.33 on loopback, about one open in
 * fifty, ICE `checking` forever on the offerer) and a fresh RTCPeerConnection then opens at once.
 * A definite answer (EXPIRE, a closed connection) from the first attempt ends it without a second.
 */
export async function openDataConnectionHedged(
  peer: Peer,
  peerId: string,
  timeoutMs: number,
  cancel?: AbortSignal,
): Promise<DataConnection> {
  const losers = new AbortController();
  const signal = cancel ? AbortSignal.any([cancel, losers.signal]) : losers.signal;
  const hedgeAfter = Math.floor(timeoutMs / 2);
  const attempts = [openDataConnection(peer, peerId, timeoutMs, signal)];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settledEarly = await Promise.race([
    attempts[0]!.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), hedgeAfter))),
  ]);
  clearTimeout(timer);
  if (!settledEarly)
    attempts.push(openDataConnection(peer, peerId, timeoutMs - hedgeAfter, signal));
  try {
    return await Promise.any(attempts);
  } catch (err) {
    throw (err as AggregateError).errors[0];
  } finally {
    losers.abort(); // closes an attempt still under way; the winner is no longer listening
  }
}
