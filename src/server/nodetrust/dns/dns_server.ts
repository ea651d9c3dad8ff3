import dgram from 'node:dgram';
import net from 'node:net';
import { normalizeZone } from '../../../protocol/nodetrust/index.js';
import type { ZoneConfig } from './answer.js';
import { createChallengeStore, type ChallengeStore } from './challenge_store.js';
import { handlePacket } from './handle_packet.js';
import { createRelayRecordStore, type RelayRecordStore } from './relay_records.js';

export interface DnsServerOptions {
  readonly zone: string;
  /** Address to listen on (UDP and TCP); 127.0.0.1 by default. */
  readonly host?: string;
  /** 0 (default) picks a free port, the same for UDP and TCP. */
  readonly port?: number;
  /** The zone's name servers (label under the zone, address for glue); `ns` at `host` by default. */
  readonly nameServers?: ZoneConfig['nameServers'];
  readonly ttl?: Partial<ZoneConfig['ttl']>;
  readonly challenges?: ChallengeStore;
  readonly relayRecords?: RelayRecordStore;
}

export interface DnsServer {
  readonly host: string;
  readonly port: number;
  readonly zone: string;
  readonly challenges: ChallengeStore;
  /** Relays' discovery records, filled through `relay_record_app.ts`. */
  readonly relayRecords: RelayRecordStore;
  close(): Promise<void>;
}

/** TTLs (seconds): derived records never change; challenges live minutes; misses are short. */
export const DEFAULT_TTL = { records: 86_400, challenge: 60, negative: 60 } as const;
const TCP_IDLE_MS = 10_000;
const MAX_TCP_CONNECTIONS = 256;

function bindUdp(host: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

function listenTcp(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Serves DNS over TCP: 2-byte length-prefixed messages (RFC 1035 §4.2.2, RFC 7766). */
function serveTcp(socket: net.Socket, answer: (message: Buffer) => Buffer | null): void {
  let pending = Buffer.alloc(0);
  socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2) {
      const length = pending.readUInt16BE(0);
      if (pending.length < 2 + length) return;
      const message = pending.subarray(2, 2 + length);
      pending = pending.subarray(2 + length);
      const reply = answer(Buffer.from(message));
      if (!reply) {
        socket.destroy();
        return;
      }
      const head = Buffer.alloc(2);
      head.writeUInt16BE(reply.length);
      socket.write(Buffer.concat([head, reply]));
    }
  });
}

/**
 * The nodetrust DNS server: authoritative for `zone` only, on UDP and TCP of one port
 * (answers in `answer.ts`). Nothing a client sends can make it throw: see `handle_packet.ts`.
 */
export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const host = options.host ?? '127.0.0.1';
  const zone = normalizeZone(options.zone);
  const challenges = options.challenges ?? createChallengeStore();
  const relayRecords = options.relayRecords ?? createRelayRecordStore();
  const config: ZoneConfig = {
    zone,
    relayRecords,
    nameServers: options.nameServers ?? [{ label: 'ns', address: host }],
    ttl: { ...DEFAULT_TTL, ...options.ttl },
    serial: Math.floor(Date.now() / 1000),
  };
  const tcp = net.createServer({ pauseOnConnect: false });
  tcp.maxConnections = MAX_TCP_CONNECTIONS;
  const open = new Set<net.Socket>();
  tcp.on('connection', (conn) => {
    open.add(conn);
    conn.once('close', () => open.delete(conn));
    serveTcp(conn, (m) => handlePacket(m, config, challenges, 'tcp'));
  });
  let udp: dgram.Socket | undefined;
  // With port 0 the UDP port is free but TCP's may not be: retry a few times.
  for (let attempt = 0; ; attempt++) {
    udp = await bindUdp(host, options.port ?? 0);
    try {
      await listenTcp(tcp, host, udp.address().port);
      break;
    } catch (err) {
      udp.close();
      if ((options.port ?? 0) !== 0 || attempt >= 5) throw err;
    }
  }
  const socket = udp;
  socket.on('error', () => {}); // ICMP errors for spoofed senders must not kill the server
  socket.on('message', (message, remote) => {
    const reply = handlePacket(message, config, challenges, 'udp');
    if (reply) socket.send(reply, remote.port, remote.address);
  });
  return {
    host,
    port: socket.address().port,
    zone,
    challenges,
    relayRecords,
    close: () =>
      new Promise<void>((resolve) => {
        socket.close();
        tcp.close(() => resolve());
        for (const conn of open) conn.destroy();
      }),
  };
}
