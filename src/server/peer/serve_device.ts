import type { DataConnection, Peer } from 'peerjs';
import { TunnelServer, type TunnelServerOptions } from '../../protocol/tunnel/tunnel_server.js';
import { readsInlineBodies } from '../../protocol/tunnel/frames.js';
import { createNodePeer, type SignallingOptions } from './node_peer.js';
import { frameBytes } from './frame_bytes.js';

export interface ServeDeviceOptions extends SignallingOptions {
  /** The device's peer id (in Disco: `peerIdOf(deviceId)`). */
  id: string;
  /** The token that holds the id at the signalling server (in Disco: a signed peer token). */
  token?: string;
  /** Answers each tunnel request (the browser bridge: `fetch('/disco/…')` to the service worker). */
  handle: TunnelServerOptions['handle'];
  /** Told about dropped frames and unsendable answers; default: ignore. */
  onError?: (err: unknown) => void;
}

export interface ServedDevice {
  readonly id: string;
  readonly peer: Peer;
  /** Data connections currently open to this device. */
  readonly connections: number;
  /** Leaves the signalling server and closes every connection, as a closing tab would. */
  close(): void;
}

/**
 * A device end of the tunnel in Node: registers `id` at the signalling server and answers every
 * incoming data connection with a TunnelServer around `handle`. Used by tests and benchmarks,
 * and the reference for the browser bridge, which does the same with browser PeerJS. Accepts
 * only `raw`, reliable (ordered) connections, which is what PeerDeviceLink opens.
 */
export async function serveDevice(o: ServeDeviceOptions): Promise<ServedDevice> {
  const peer = await createNodePeer({ ...o, acceptConnections: true });
  const open = new Set<DataConnection>();
  peer.on('error', (err) => o.onError?.(err)); // e.g. a failed negotiation
  peer.on('connection', (conn) => {
    if (conn.serialization !== 'raw' || !conn.reliable) return conn.close();
    const server = new TunnelServer({
      send: (frame) => void conn.send(frame),
      handle: o.handle,
      inlineBodies: readsInlineBodies(conn.metadata),
      ...(o.onError ? { onError: o.onError } : {}),
    });
    open.add(conn);
    conn.on('data', (data) => {
      const bytes = frameBytes(data);
      if (bytes) server.receive(bytes);
      else o.onError?.(new TypeError('not a binary frame'));
    });
    conn.on('close', () => {
      open.delete(conn);
      server.close();
    });
    conn.on('error', () => conn.close());
  });
  return {
    id: o.id,
    peer,
    get connections() {
      return open.size;
    },
    close: () => peer.destroy(),
  };
}
