import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTurnserver, startCoturn, type LocalTurnServer } from './coturn.js';
import { coturnOptions } from './coturn_options.js';
import { turnCredentials } from './credentials.js';
import { stunAnswers } from './stun_probe.js';

// Debian's coturn is installed by `npm test` (scripts/test.mjs) like Chromium.
let turn: LocalTurnServer;
beforeAll(async () => {
  if (!findTurnserver())
    throw new Error('coturn is not installed: run "npm test", which installs it');
  turn = await startCoturn();
});
afterAll(() => turn?.close());

const commandLines = () =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        return '';
      }
    });

describe('a local coturn', () => {
  it('answers STUN on 127.0.0.1 and offers UDP and TCP TURN URLs', async () => {
    expect(await stunAnswers('127.0.0.1', turn.port, 1000)).toBe(true);
    expect(turn.urls).toEqual([
      `turn:127.0.0.1:${turn.port}?transport=udp`,
      `turn:127.0.0.1:${turn.port}?transport=tcp`,
    ]);
  });

  it('keeps its secret off command lines', () => {
    const lines = commandLines();
    expect(lines.some((l) => l.includes('turnserver'))).toBe(true);
    expect(lines.some((l) => l.includes(turn.secret))).toBe(false);
  });

  it('runs the options of coturnOptions, each one a flag of this coturn (turnserver -h)', () => {
    const help = execFileSync(findTurnserver()!, ['-h'], { encoding: 'utf8' });
    const flags = new Set(help.match(/--[a-z0-9_-]+/g));
    const conf = readFileSync(turn.configFile, 'utf8');
    const options = conf.split('\n').filter(Boolean);
    expect(options).toContain('allow-loopback-peers'); // 127.0.0.1: the dev/test configuration
    expect(options).toContain('denied-peer-ip=10.0.0.0-10.255.255.255');
    const production = coturnOptions({
      listeningIps: ['192.0.2.1'],
      port: 3478,
      realm: 'turn.example',
      secret: 'a-secret-of-enough-length',
      allowLoopbackPeers: false,
      userQuota: 128,
      totalQuota: 8192,
      maxBps: 1_000_000,
      tls: { cert: '/c.pem', pkey: '/k.pem', port: 5349 },
      stateDir: '/var/lib/turn',
    });
    for (const option of new Set([...options, ...production]))
      expect(flags, option).toContain(`--${option.split('=')[0]}`);
  });

  it('reads its whole configuration without complaint', () => {
    const log = turn.log().join('\n');
    expect(log).toMatch(/Black listing: 10\.0\.0\.0-10\.255\.255\.255/);
    expect(log).not.toMatch(/Wrong address|Bad configuration|unknown option|unrecognized/i);
  });

  it('stops, and no longer answers', async () => {
    const other = await startCoturn();
    expect(await stunAnswers('127.0.0.1', other.port, 1000)).toBe(true);
    await other.close();
    expect(await stunAnswers('127.0.0.1', other.port, 300)).toBe(false);
  });

  it('refuses loopback peers on an address others can reach, before starting anything', async () => {
    const err = await startCoturn({ host: '10.77.0.1', allowLoopbackPeers: true }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TypeError);
    expect(String(err)).toMatch(/loopback peers/);
  });

  it('reports a server that cannot start, with its log', async () => {
    const err = await startCoturn({ binary: '/bin/false', readyTimeoutMs: 2000 }).catch(
      (e: unknown) => e,
    );
    expect(String(err)).toMatch(/coturn did not start .*exited/);
  });
});

describe('TURN REST-API credentials', () => {
  it('are <expiry>:<label> and base64 HMAC-SHA1 of that under the secret', () => {
    // Computed independently: printf '1700000000:dev' | openssl sha1 -hmac secret -binary | base64
    expect(turnCredentials('secret', 'dev', 1_700_000_000)).toEqual({
      username: '1700000000:dev',
      credential: 'XmI+qxgIGXGp2UISH7mSOlXDeWs=',
    });
    expect(() => turnCredentials('secret', 'a:b', 1)).toThrow(/label/);
  });
});

describe('a port taken before coturn binds it', () => {
  /** A TCP listener on a kernel-chosen port: coturn's TCP listener cannot bind it. */
  const occupy = () =>
    new Promise<Server>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
  const portOf = (server: Server) => (server.address() as { port: number }).port;

  it('is given up for another port when Disco chose it (a busy machine took it)', async () => {
    const held = await occupy();
    const taken = portOf(held);
    const picked: number[] = [];
    let other: LocalTurnServer | undefined;
    try {
      other = await startCoturn({
        pickPort: async () => {
          let port = taken;
          if (picked.length > 0) {
            const free = await occupy();
            port = portOf(free);
            await new Promise((closed) => free.close(closed));
          }
          picked.push(port);
          return port;
        },
      });
      expect(picked[0]).toBe(taken);
      expect(picked).toHaveLength(2);
      expect(other.port).toBe(picked[1]);
      expect(await stunAnswers('127.0.0.1', other.port, 1000)).toBe(true);
    } finally {
      await other?.close();
      held.close();
    }
  });

  it('is an error naming the bind failure when the port was asked for', async () => {
    const held = await occupy();
    try {
      await expect(startCoturn({ port: portOf(held) })).rejects.toThrow(/Address already in use/);
    } finally {
      held.close();
    }
  });
});
