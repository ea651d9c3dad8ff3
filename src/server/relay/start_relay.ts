import { createServer, STATUS_CODES, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { DiscoError, toWire } from '../../protocol/errors/index.js';
import type { DeviceLink } from '../../protocol/tunnel/index.js';
import type { RelayOptions } from './config.js';
import { systemClock } from '../../protocol/encoding/index.js';
import { createRelay, type Relay } from './create_relay.js';
import { openRelayCluster } from './relay_cluster.js';

export interface StartRelayOptions extends Omit<RelayOptions, 'publicUrl' | 'deviceLink'> {
  /** Default: `http://<host>:<bound port>` (fine on loopback; behind a proxy, give the public URL). */
  publicUrl?: string;
  /**
   * The link, or a function that makes it once the relay listens, with the relay's public URL
   * (its own peer can connect to this relay's signalling and be awaited there) and the relay
   * itself (e.g. `isRegistered: (id) => relay.hasPeer(id)`), and where this process listens (in a
   * cluster the link's peer registers on its own process, not through the balancer).
   */
  deviceLink:
    | DeviceLink
    | ((relayUrl: string, relay: Relay, listenUrl: string) => DeviceLink | Promise<DeviceLink>);
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1: only loopback unless told otherwise. */
  host?: string;
}

/**
 * What Node's HTTP parser refuses before any handler runs (headers over 16 KiB, a malformed
 * request line, headers too slow) is answered with a typed error body too, not a bare status.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || (socket as Duplex & { _httpMessage?: unknown })._httpMessage) {
    socket.destroy();
    return;
  }
  const [status, error] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, new DiscoError('ERR_TOO_LARGE', 'The request headers are too large.')]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, new DiscoError('ERR_TIMEOUT', 'The request took too long to arrive.')]
        : [400, new DiscoError('ERR_INVALID_INPUT', 'The request cannot be parsed.')];
  const body = JSON.stringify(toWire(error).body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\n` +
      'content-type: application/json; charset=utf-8\r\ncache-control: no-store\r\n' +
      `x-content-type-options: nosniff\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export interface RunningRelay {
  readonly relay: Relay;
  readonly server: Server;
  /** Where this process listens (`http://host:port`). */
  readonly url: string;
  /** The relay's public URL (what RPs and devices are told). */
  readonly publicUrl: string;
  /** Closes the relay, then the HTTP server (dropping idle keep-alive connections). */
  close(): Promise<void>;
}

function relayOptions(options: StartRelayOptions, publicUrl: string, link: DeviceLink) {
  const rest: Omit<StartRelayOptions, 'port' | 'host' | 'deviceLink' | 'publicUrl'> & {
    port?: number;
    host?: string;
  } = { ...options };
  delete rest.port;
  delete rest.host;
  return { ...rest, publicUrl, deviceLink: link };
}

/**
 * Starts a relay on its own HTTP server: listens first (so port 0 works), then builds the relay
 * with the bound URL and attaches signalling. For `npm start` and the tests.
 */
export async function startRelay(options: StartRelayOptions): Promise<RunningRelay> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer();
  server.on('clientError', answerClientError);
  // Node waits 300 s for a request by default; the tunnel's bodies have their own, shorter
  // limit (tunnelBodyTimeoutMs), and nothing else the relay takes is large
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const publicUrl = (options.publicUrl ?? url).replace(/\/+$/, '');
  // The relay (and its signalling) runs before the link exists, so a link whose own peer
  // connects to this relay's PeerJS path can be made, and awaited, after it.
  let link: DeviceLink | null =
    typeof options.deviceLink === 'function' ? null : options.deviceLink;
  const deferred: DeviceLink = {
    request: (peerId, req, signal) =>
      link
        ? link.request(peerId, req, signal)
        : Promise.reject(new DiscoError('ERR_DEVICE_UNREACHABLE', 'The relay is starting.')),
    close: () => link?.close() ?? Promise.resolve(),
    forget: (peerId) => link?.forget?.(peerId),
  };
  let relay: Relay;
  try {
    // one process of a cluster: connect to Redis first (a process starts only with its Redis)
    const cluster =
      options.redisUrl && !options.cluster
        ? await openRelayCluster({
            url: options.redisUrl,
            prefix: options.redisPrefix ?? 'disco:',
            clock: options.clock ?? systemClock,
          })
        : options.cluster;
    relay = createRelay({
      ...relayOptions(options, publicUrl, deferred),
      ...(cluster ? { cluster } : {}),
    });
  } catch (err) {
    server.close();
    throw err;
  }
  server.on('request', relay.app);
  relay.attach(server);
  if (typeof options.deviceLink === 'function') {
    try {
      link = await options.deviceLink(relay.publicUrl, relay, url);
    } catch (err) {
      await relay.close();
      server.close();
      throw err;
    }
  }
  return {
    relay,
    server,
    url,
    publicUrl: relay.publicUrl,
    async close() {
      await relay.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // requests still running after a grace second are cut
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
    },
  };
}
