import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coturnConfig, findTurnserver, startCoturn, type LocalTurnServer } from './coturn.js';
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

  it('is configured for loopback only, with REST-API credentials and quotas', () => {
    const conf = coturnConfig({ host: '127.0.0.1', port: 3478, secret: 's', dir: '/tmp/x' });
    for (const line of [
      'listening-ip=127.0.0.1',
      'relay-ip=127.0.0.1',
      'use-auth-secret',
      'static-auth-secret=s',
      'no-cli',
      'user-quota=32',
    ])
      expect(conf.split('\n')).toContain(line);
  });

  it('stops, and no longer answers', async () => {
    const other = await startCoturn();
    expect(await stunAnswers('127.0.0.1', other.port, 1000)).toBe(true);
    await other.close();
    expect(await stunAnswers('127.0.0.1', other.port, 300)).toBe(false);
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
