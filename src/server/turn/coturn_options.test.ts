import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import {
  coturnConfigText,
  coturnOptions,
  DEFAULT_TURN_QUOTAS,
  isLoopbackAddress,
  localCoturnSettings,
  type CoturnSettings,
} from './coturn_options.js';
import { DENIED_PEER_RANGES, LOOPBACK_PEER_RANGES } from './peer_ranges.js';

const base: CoturnSettings = {
  listeningIps: ['127.0.0.1'],
  port: 3478,
  realm: 'turn.example',
  secret: 'a-secret-of-enough-length',
  allowLoopbackPeers: true,
  userQuota: 64,
  totalQuota: 1024,
  stateDir: '/var/lib/turn',
};

const names = (options: string[]) => options.map((o) => o.split('=')[0]);

describe('coturn options', () => {
  it('tell loopback addresses from the rest', () => {
    expect(['127.0.0.1', '127.9.9.9', '::1'].map(isLoopbackAddress)).toEqual([true, true, true]);
    expect(['0.0.0.0', '::', '10.0.0.1', 'localhost'].map(isLoopbackAddress)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it('allow loopback peers when the whole server is on loopback (npm start, tests)', () => {
    for (const ip of ['127.0.0.1', '::1']) {
      const options = coturnOptions({ ...base, listeningIps: [ip] });
      expect(options).toContain('allow-loopback-peers');
      expect(options).not.toContain('denied-peer-ip=127.0.0.0-127.255.255.255');
      expect(options).not.toContain('denied-peer-ip=::1');
      expect(options).toContain('denied-peer-ip=10.0.0.0-10.255.255.255'); // still no LAN
    }
  });

  it.each([
    [{ listeningIps: ['192.168.1.20'] }],
    [{ listeningIps: ['0.0.0.0'] }],
    [{ listeningIps: ['203.0.113.5'] }],
    [{ listeningIps: ['127.0.0.1', '10.0.0.2'] }],
    [{ listeningIps: ['127.0.0.1'], relayIps: ['192.168.1.20'] }],
    [{ listeningIps: ['2001:db8::1'] }],
  ])('refuse loopback peers on a reachable address, as DISCO_HOST on a LAN asked (%o)', (where) => {
    expect(() => coturnOptions({ ...base, ...where })).toThrow(/loopback peers/);
  });

  it('deny every private, loopback, link-local, CGNAT, metadata and reserved peer in production', () => {
    const options = coturnOptions({
      ...base,
      listeningIps: ['192.168.1.20'],
      allowLoopbackPeers: false,
    });
    expect(options).not.toContain('allow-loopback-peers');
    const denied = options.filter((o) => o.startsWith('denied-peer-ip=')).map((o) => o.slice(15));
    for (const range of [
      '127.0.0.0-127.255.255.255',
      '::1',
      '10.0.0.0-10.255.255.255',
      '172.16.0.0-172.31.255.255',
      '192.168.0.0-192.168.255.255',
      '169.254.0.0-169.254.255.255',
      '100.64.0.0-100.127.255.255',
      'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      'fe80::-feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      '::ffff:0:0-::ffff:ffff:ffff',
      '64:ff9b::-64:ff9b::ffff:ffff',
    ])
      expect(denied).toContain(range);
    // with relay-only ICE both ends' candidates are on the relay address itself
    expect(options).toContain('allowed-peer-ip=192.168.1.20');
    for (const line of [
      'no-tcp-relay',
      'no-multicast-peers',
      'use-auth-secret',
      'fingerprint',
      'stale-nonce=600',
      'no-cli',
      'user-quota=64',
      'total-quota=1024',
      'realm=turn.example',
    ])
      expect(options).toContain(line);
  });

  it('list ranges coturn 4.6 reads as written: none from the zero address, IPv6 as CIDR blocks', () => {
    for (const range of [...DENIED_PEER_RANGES, ...LOOPBACK_PEER_RANGES]) {
      const [first, last = first] = range.split('-') as [string, string?];
      const a = ipaddr.parse(first);
      const b = ipaddr.parse(last);
      expect(a.kind()).toBe(b.kind());
      const [x, y] = [a, b].map((ip) =>
        ip.toByteArray().reduce((n, byte) => (n << 8n) | BigInt(byte), 0n),
      ) as [bigint, bigint];
      expect(x).toBeGreaterThan(0n); // coturn: a range from 0.0.0.0 or :: holds everything
      expect(x).toBeLessThanOrEqual(y);
      if (a.kind() === 'ipv6') {
        const span = x ^ y; // a CIDR block: the ends differ in trailing bits, all 0 then all 1
        expect(span & (span + 1n)).toBe(0n);
        expect(x & span).toBe(0n);
      }
    }
  });

  it('keep TLS off without a certificate, and on with one', () => {
    expect(coturnOptions(base)).toEqual(expect.arrayContaining(['no-tls', 'no-dtls']));
    const tls = coturnOptions({
      ...base,
      tls: { cert: '/etc/turn/cert.pem', pkey: '/etc/turn/key.pem', port: 5349 },
    });
    expect(names(tls)).not.toContain('no-tls');
    expect(tls).toEqual(
      expect.arrayContaining(['tls-listening-port=5349', 'cert=/etc/turn/cert.pem', 'no-tlsv1']),
    );
  });

  it.each([
    [{ listeningIps: [] }, /listeningIps/],
    [{ listeningIps: ['turn.example'] }, /not an IP address/],
    [{ relayIps: ['0.0.0.0'], allowLoopbackPeers: false }, /one address/],
    [{ port: 0 }, /port/],
    [{ realm: 'a b' }, /realm/],
    [{ secret: 'short' }, /secret/],
    [{ secret: 'a secret with spaces inside' }, /secret/],
    [{ userQuota: 0 }, /userQuota/],
    [{ totalQuota: 10 }, /totalQuota/],
  ])('refuse %o', (bad, message) => {
    expect(() => coturnOptions({ ...base, ...bad })).toThrow(message);
  });

  it('for npm start: loopback peers on 127.0.0.1, the production set on DISCO_HOST elsewhere', () => {
    const local = { port: 3478, secret: base.secret, stateDir: '/tmp/t' };
    const dev = localCoturnSettings({ ...local, host: '127.0.0.1' });
    expect(dev).toMatchObject({ allowLoopbackPeers: true, userQuota: dev.totalQuota });
    const lan = localCoturnSettings({ ...local, host: '192.168.1.20' });
    expect(lan).toMatchObject({
      allowLoopbackPeers: false,
      userQuota: DEFAULT_TURN_QUOTAS.userQuota,
      totalQuota: DEFAULT_TURN_QUOTAS.totalQuota,
    });
    expect(coturnOptions(lan)).not.toContain('allow-loopback-peers');
    expect(coturnOptions(lan)).toContain('denied-peer-ip=127.0.0.0-127.255.255.255');
    expect(() =>
      localCoturnSettings({ ...local, host: '192.168.1.20', allowLoopbackPeers: true }),
    ).toThrow(/loopback peers/);
    // the production set on loopback, as peer_policy.test.ts runs it
    expect(
      localCoturnSettings({ ...local, host: '127.0.0.1', allowLoopbackPeers: false }),
    ).toMatchObject({ allowLoopbackPeers: false, userQuota: DEFAULT_TURN_QUOTAS.userQuota });
  });

  it('are what docs/turn.md shows as the production configuration', () => {
    const doc = readFileSync(new URL('../../../docs/turn.md', import.meta.url), 'utf8');
    const block = /```conf\n([^`]*)```/.exec(doc)?.[1];
    expect(block).toBe(
      coturnConfigText({
        listeningIps: ['203.0.113.10'],
        port: 3478,
        realm: 'turn.example.com',
        secret: 'REPLACE-WITH-DISCO_RELAY_TURN_SECRET',
        allowLoopbackPeers: false,
        userQuota: DEFAULT_TURN_QUOTAS.userQuota,
        totalQuota: DEFAULT_TURN_QUOTAS.totalQuota,
        tls: { cert: '/etc/coturn/fullchain.pem', pkey: '/etc/coturn/privkey.pem', port: 5349 },
        stateDir: '/var/lib/turn',
        logFile: 'syslog',
      }),
    );
  });
});
