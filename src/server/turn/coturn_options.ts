import ipaddr from 'ipaddr.js';
import { DENIED_PEER_RANGES, LOOPBACK_PEER_RANGES } from './peer_ranges.js';

/** What a coturn server for Disco is: where it listens, its secret, its limits. */
export interface CoturnSettings {
  /** Addresses coturn listens on (`listening-ip`); its relay addresses too unless `relayIps`. */
  readonly listeningIps: readonly string[];
  /** Addresses of the relayed sockets (`relay-ip`); default `listeningIps`. */
  readonly relayIps?: readonly string[];
  /** The public address of a server behind 1:1 NAT (`external-ip`). */
  readonly externalIp?: string;
  /** UDP and TCP listening port. */
  readonly port: number;
  readonly realm: string;
  /** The REST-API shared secret (`static-auth-secret`), the relay's `DISCO_RELAY_TURN_SECRET`. */
  readonly secret: string;
  /**
   * Let peers be on 127.0.0.0/8 and ::1: the development and test case, where every end of a
   * data channel is on this machine. Refused unless every listening and relay address is a
   * loopback address, since a reachable server that relays to loopback hands anyone the
   * host's local-only services (issue #12.12).
   */
  readonly allowLoopbackPeers: boolean;
  /**
   * Concurrent allocations per REST-API label (`user-quota`). The relay derives the label from
   * the client's address (`turnLabel`), so this is the per-address quota.
   */
  readonly userQuota: number;
  /** Concurrent allocations on this server (`total-quota`). */
  readonly totalQuota: number;
  /** Bytes per second per allocation (`max-bps`); default unlimited. */
  readonly maxBps?: number;
  /** TLS and DTLS on `tlsPort` (`turns:` URLs); without it both are off. */
  readonly tls?: { readonly cert: string; readonly pkey: string; readonly port: number };
  /** Where coturn keeps its pid file and SQLite database. */
  readonly stateDir: string;
  /** `log-file` value; default `stdout`. */
  readonly logFile?: string;
}

/** Production quotas; a loopback server defaults its per-address quota to its total. */
export const DEFAULT_TURN_QUOTAS = { userQuota: 128, totalQuota: 8192 } as const;

function address(name: string, value: string): ipaddr.IPv4 | ipaddr.IPv6 {
  if (!ipaddr.isValid(value))
    throw new TypeError(`coturn settings: ${name} "${value}" is not an IP address`);
  return ipaddr.parse(value);
}

function count(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new TypeError(`coturn settings: ${name} must be an integer from ${min} to ${max}`);
  return value;
}

/** Whether `ip` is 127.0.0.0/8 or ::1 (not 0.0.0.0 or ::, which listen everywhere). */
export function isLoopbackAddress(ip: string): boolean {
  return ipaddr.isValid(ip) && ipaddr.process(ip).range() === 'loopback';
}

/**
 * coturn 4.6 options (`name` or `name=value`, one per line of turnserver.conf; the same names
 * as its `--name value` flags, checked against `turnserver -h` in coturn.test.ts) for a TURN
 * server that is not an open relay:
 *
 * - REST-API credentials only (`use-auth-secret`, draft-uberti-behave-turn-rest-00), with
 *   `fingerprint` and `stale-nonce` (RFC 8656 §9 nonces that expire);
 * - peers: UDP only (`no-tcp-relay`: WebRTC never asks for RFC 6062 TCP allocations, and a TCP
 *   relay would reach the host's HTTP services), no multicast, none in `DENIED_PEER_RANGES`, no
 *   loopback unless the whole server is on loopback; the relay addresses themselves are allowed
 *   (`allowed-peer-ip` wins over `denied-peer-ip` in coturn), because with
 *   `ice_transport_policy: relay` both ends' candidates are on this server;
 * - quotas per address (`user-quota`, see `turnLabel`) and in total, allocations of at most
 *   10 minutes (the RFC 8656 default), so leaked ones are given back soon;
 * - no CLI, no web admin, no software version, no RFC 5780 or old-STUN answers (they add
 *   attributes: amplification).
 */
export function coturnOptions(s: CoturnSettings): string[] {
  if (s.listeningIps.length === 0) throw new TypeError('coturn settings: listeningIps is empty');
  const listening = s.listeningIps.map((ip) => address('listening ip', ip));
  const relays = (s.relayIps ?? s.listeningIps).map((ip) => address('relay ip', ip));
  const all = [...listening, ...relays];
  if (s.externalIp !== undefined) address('external ip', s.externalIp);
  if (s.allowLoopbackPeers && !all.every((ip) => ip.range() === 'loopback'))
    throw new TypeError(
      'coturn settings: loopback peers are allowed only when every listening and relay address is a loopback address',
    );
  if (relays.some((ip) => ip.range() === 'unspecified'))
    throw new TypeError('coturn settings: a relay address must be one address, not 0.0.0.0 or ::');
  count('port', s.port, 1, 65535);
  if (!/^[A-Za-z0-9.-]{1,253}$/.test(s.realm)) throw new TypeError('coturn settings: bad realm');
  if (s.secret.length < 16 || /[\s#]/.test(s.secret))
    throw new TypeError(
      'coturn settings: the secret must be 16 or more characters, no spaces or #',
    );
  count('userQuota', s.userQuota, 1, 1_000_000);
  count('totalQuota', s.totalQuota, s.userQuota, 1_000_000);

  const peers = s.allowLoopbackPeers
    ? ['allow-loopback-peers', ...DENIED_PEER_RANGES.map((r) => `denied-peer-ip=${r}`)]
    : [
        ...[...DENIED_PEER_RANGES, ...LOOPBACK_PEER_RANGES].map((r) => `denied-peer-ip=${r}`),
        ...relays
          .filter((ip) => ip.range() !== 'loopback')
          .map((ip) => `allowed-peer-ip=${ip.toString()}`),
      ];
  return [
    ...listening.map((ip) => `listening-ip=${ip.toString()}`),
    ...relays.map((ip) => `relay-ip=${ip.toString()}`),
    ...(s.externalIp !== undefined ? [`external-ip=${s.externalIp}`] : []),
    `listening-port=${s.port}`,
    ...(s.tls
      ? [
          `tls-listening-port=${count('tls port', s.tls.port, 1, 65535)}`,
          `cert=${s.tls.cert}`,
          `pkey=${s.tls.pkey}`,
          'no-tlsv1',
          'no-tlsv1_1',
        ]
      : ['no-tls', 'no-dtls']),
    `realm=${s.realm}`,
    'use-auth-secret',
    `static-auth-secret=${s.secret}`,
    'fingerprint',
    'stale-nonce=600',
    'no-tcp-relay',
    'no-multicast-peers',
    ...peers,
    `user-quota=${s.userQuota}`,
    `total-quota=${s.totalQuota}`,
    ...(s.maxBps !== undefined ? [`max-bps=${count('maxBps', s.maxBps, 1, 2 ** 31)}`] : []),
    'max-allocate-lifetime=600',
    'no-cli',
    'no-software-attribute',
    'no-rfc5780',
    'no-stun-backward-compatibility',
    'response-origin-only-with-rfc5780',
    `log-file=${s.logFile ?? 'stdout'}`,
    'simple-log',
    `pidfile=${s.stateDir}/turnserver.pid`,
    `userdb=${s.stateDir}/turndb`,
  ];
}

/** `coturnOptions` as the text of a turnserver.conf. */
export function coturnConfigText(s: CoturnSettings): string {
  return `${coturnOptions(s).join('\n')}\n`;
}

/**
 * The settings of the coturn `npm start` and the tests run on `host` (DISCO_HOST): loopback peers
 * by default, and only, when `host` is a loopback address; anywhere else the production set.
 * On loopback every client has the same address, so the per-address quota is the total there.
 */
export function localCoturnSettings(o: {
  host: string;
  port: number;
  secret: string;
  stateDir: string;
  allowLoopbackPeers?: boolean | undefined;
  userQuota?: number | undefined;
  totalQuota?: number | undefined;
}): CoturnSettings {
  const allowLoopbackPeers = o.allowLoopbackPeers ?? isLoopbackAddress(o.host);
  const totalQuota = o.totalQuota ?? DEFAULT_TURN_QUOTAS.totalQuota;
  const settings: CoturnSettings = {
    listeningIps: [o.host],
    port: o.port,
    realm: 'disco.local',
    secret: o.secret,
    allowLoopbackPeers,
    userQuota: o.userQuota ?? (allowLoopbackPeers ? totalQuota : DEFAULT_TURN_QUOTAS.userQuota),
    totalQuota,
    stateDir: o.stateDir,
  };
  coturnOptions(settings); // refuses what coturnOptions refuses, before anything is started
  return settings;
}
