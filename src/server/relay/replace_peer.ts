import { WebSocket } from 'ws';

/**
 * The start of what the relay tells a signalling socket it closes because the same device id
 * connected again with a fresh token (a restored backup opened in a second browser, a second
 * window). The device app matches on it (`REPLACED_MESSAGE` in src/app/lib/relay.svelte.ts)
 * and stops reconnecting by itself, so that two copies do not take the id from each other
 * forever; docs/wire/relay.md.
 */
export const REPLACED_PREFIX = 'DISCO_REPLACED';

/** What the replaced socket reads, as PeerJS's own server errors are worded: `payload.msg`. */
export const REPLACED_ERROR = JSON.stringify({
  type: 'ERROR',
  payload: {
    msg: `${REPLACED_PREFIX}: this device connected to the relay again from another browser or window, which now receives its requests.`,
  },
});

/**
 * How long a replaced socket has to answer the close: a live browser answers in one round trip;
 * a half-open one (the device changed networks) never does and is cut then, so the new socket is
 * admitted after at most this long.
 */
export const REPLACE_GRACE_MS = 1000;

/**
 * Tells `socket` that another connection holds its peer id now (a PeerJS `ERROR` whose message
 * starts with `DISCO_REPLACED`), then closes it: a WebSocket close, so the message is read
 * before the connection goes (cutting the TCP connection could lose it), and a hard cut after
 * `REPLACE_GRACE_MS` if the other end does not answer. Resolves when the socket is closed.
 */
export function replacePeer(socket: WebSocket, graceMs = REPLACE_GRACE_MS): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const cut = setTimeout(() => socket.terminate(), graceMs);
  cut.unref();
  void closed.then(() => clearTimeout(cut));
  if (socket.readyState === WebSocket.OPEN) {
    socket.send(REPLACED_ERROR);
    // 4000-4999 are for applications (RFC 6455 7.4.2); PeerJS reads the ERROR, not the code
    socket.close(4001, REPLACED_PREFIX);
  }
  return closed;
}
