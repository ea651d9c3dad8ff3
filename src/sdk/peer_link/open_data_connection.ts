import type { DataConnection, Peer } from 'peerjs';
import { DiscoError } from '../../protocol/errors/index.js';
import { TUNNEL_CONNECT_METADATA } from '../../protocol/tunnel/frames.js';

/** Failures that another attempt cannot mend: the device is not online, or we gave up. */
const FINAL = new WeakSet<DiscoError>();
const unreachable = (why: string, final = false) => {
  const err = new DiscoError('ERR_DEVICE_UNREACHABLE', `The device cannot be reached: ${why}.`);
  if (final) FINAL.add(err);
  return err;
};

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
  if (cancel?.aborted) return Promise.reject(unreachable('the attempt was cancelled', true));
  if (peer.destroyed || peer.disconnected)
    return Promise.reject(unreachable('not connected to the signalling server', true));
  const conn = peer.connect(peerId, {
    serialization: 'raw',
    reliable: true,
    metadata: TUNNEL_CONNECT_METADATA,
  });
  const pc = conn.peerConnection as RTCPeerConnection | null;
  return new Promise<DataConnection>((resolve, reject) => {
    // The server's EXPIRE names the unknown peer as `src`; PeerJS's own error only as text.
    const onServerMessage = (msg: { type?: unknown; src?: unknown }) => {
      if (msg.type === 'EXPIRE' && msg.src === peerId) done(unreachable('it is not online', true));
    };
    const onOpen = () => done();
    const onError = (err: { type?: unknown }) => done(unreachable(`WebRTC ${String(err.type)}`));
    const onClose = () => done(unreachable('the connection closed'));
    // node-datachannel may close a connection whose handshake failed without an ICE event
    const onState = () => {
      if (pc?.connectionState === 'failed' || pc?.connectionState === 'closed')
        done(unreachable(`WebRTC ${pc.connectionState}`));
    };
    const onCancel = () => done(unreachable('the attempt was cancelled', true));
    const timer = setTimeout(() => done(unreachable('no connection in time', true)), timeoutMs);
    function done(err?: DiscoError): void {
      clearTimeout(timer);
      peer.socket.off('message', onServerMessage);
      cancel?.removeEventListener('abort', onCancel);
      pc?.removeEventListener('connectionstatechange', onState);
      conn.off('open', onOpen);
      conn.off('error', onError);
      conn.off('close', onClose);
      if (!err) return resolve(conn);
      conn.close();
      reject(err);
    }
    peer.socket.on('message', onServerMessage);
    cancel?.addEventListener('abort', onCancel, { once: true });
    pc?.addEventListener('connectionstatechange', onState);
    conn.once('open', onOpen);
    conn.once('error', onError);
    conn.once('close', onClose);
  });
}

const MAX_ATTEMPTS = 3;

/**
 * {@link openDataConnection} within one `timeoutMs` budget, with more attempts (a fresh
 * RTCPeerConnection each): a second in parallel when the first has not opened after half the
 * budget, and another at once when an attempt fails on its own; at most three. The first to open
 * wins; the others are closed. Why: now and then a WebRTC handshake stalls or dies for good
 * (node-datachannel 0.33 on loopback: about one open in a few hundred) while a new one opens at
 * once. EXPIRE (the device is not online) ends everything at once.
 */
export function openDataConnectionHedged(
  peer: Peer,
  peerId: string,
  timeoutMs: number,
  cancel?: AbortSignal,
): Promise<DataConnection> {
  const losers = new AbortController();
  const signal = cancel ? AbortSignal.any([cancel, losers.signal]) : losers.signal;
  const deadline = Date.now() + timeoutMs;
  let started = 0;
  let running = 0;
  const failures: string[] = [];
  let hedge: ReturnType<typeof setTimeout> | undefined;
  const result = new Promise<DataConnection>((resolve, reject) => {
    const start = () => {
      started++;
      running++;
      openDataConnection(peer, peerId, deadline - Date.now(), signal).then(resolve, (err) => {
        running--;
        failures.push((err as DiscoError).message);
        if (running > 0) return; // another attempt is still under way
        const again = !FINAL.has(err as DiscoError) && started < MAX_ATTEMPTS;
        if (again && deadline - Date.now() > 100) return start();
        const why = failures.length > 1 ? `${failures.length} attempts: ${failures.join(' ')}` : '';
        reject(why ? new DiscoError('ERR_DEVICE_UNREACHABLE', why) : (err as DiscoError));
      });
    };
    start();
    hedge = setTimeout(() => {
      if (running > 0 && started < MAX_ATTEMPTS) start();
    }, timeoutMs / 2);
  });
  const end = () => {
    clearTimeout(hedge);
    losers.abort(); // the winner no longer listens; attempts still under way are closed
  };
  void result.then(end, end);
  return result;
}
