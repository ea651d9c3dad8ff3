import type { IcePolicy } from '../../protocol/tunnel/index.js';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIceConfig } from '../../protocol/tunnel/index.js';
import { turnLabel } from '../turn/credentials.js';
import { resolveRelayConfig } from './config.js';
import { relayOptionsFromEnv } from './config_env.js';
import { currentIceConfig } from './ice_servers.js';
import { FakeDeviceLink, startTestRelay } from './testing.js';

const SECRET = 'a-test-secret-of-enough-length';
const TURN = { urls: ['turn:127.0.0.1:3478?transport=udp'], secret: SECRET, ttlSeconds: 600 };

type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;
let withTurn: TestRelay;
let without: TestRelay;

beforeAll(async () => {
  withTurn = await startTestRelay({ turn: TURN, rateLimits: { icePerAddress: 3 } });
  without = await startTestRelay();
});
afterAll(() => Promise.all([withTurn.close(), without.close()]));

describe('GET /ice-servers', () => {
  it('hands out time-limited TURN credentials that coturn can check with the secret alone', async () => {
    const res = await fetch(`${withTurn.base}/ice-servers`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await res.json()) as Record<string, unknown>;
    const config = parseIceConfig(body, withTurn.clock.now());
    expect(config.iceTransportPolicy).toBe('relay'); // the device's addresses stay hidden
    const [server] = config.iceServers;
    expect(server?.urls).toEqual(TURN.urls);
    const expiry = Math.floor(withTurn.clock.now() / 1000) + 600;
    expect(server?.username).toMatch(new RegExp(`^${expiry}:[0-9a-f]{12}$`));
    const expected = createHmac('sha1', SECRET).update(server!.username!).digest('base64');
    expect(server?.credential).toBe(expected);
    expect(body.expires_at).toBe(expiry);
    expect(JSON.stringify(body)).not.toContain(SECRET);
  });

  it("binds the credentials to the caller's address, so coturn's quota is per address", async () => {
    const usernameAt = async () =>
      (
        (await (await fetch(`${withTurn.base}/ice-servers`)).json()) as {
          ice_servers: { username: string }[];
        }
      ).ice_servers[0]!.username;
    const first = await usernameAt();
    withTurn.clock.advance(5000);
    const again = await usernameAt();
    // coturn counts user-quota on what follows "<expiry>:" (the label): a new expiry is no
    // new quota; the label is the caller's, and reveals nothing of its address
    expect(again).not.toBe(first);
    expect(again.split(':')[1]).toBe(first.split(':')[1]);
    expect(first.split(':')[1]).toBe(turnLabel(SECRET, '127.0.0.1'));
    expect(first).not.toContain('127');
  });

  it('gives addresses of one IPv6 /56 one label, and other addresses others', () => {
    const config = { turn: { ...TURN, policy: 'relay' as const }, clock: withTurn.clock };
    const label = (ip: string) =>
      currentIceConfig(config, ip).iceServers[0]!.username!.split(':')[1];
    expect(label('2001:db8:1:200::1')).toBe(label('2001:db8:1:2ff:ffff::9'));
    expect(label('2001:db8:1:300::1')).not.toBe(label('2001:db8:1:200::1'));
    expect(label('::ffff:192.0.2.7')).toBe(label('192.0.2.7'));
    expect(label('192.0.2.8')).not.toBe(label('192.0.2.7'));
    // several relays sharing one TURN secret label an address alike; another secret does not
    expect(turnLabel(SECRET, '192.0.2.7')).toBe(label('192.0.2.7'));
    expect(turnLabel(`${SECRET}-other`, '192.0.2.7')).not.toBe(label('192.0.2.7'));
  });

  it("gives the relay's own link new credentials at every call (coturn quotas are per username)", () => {
    const first = withTurn.relay.iceConfig().iceServers[0]?.username;
    const second = withTurn.relay.iceConfig().iceServers[0]?.username;
    expect(first).toMatch(/^\d+:[0-9a-f]{12}$/);
    expect(second).not.toBe(first);
  });

  it('is rate-limited per address with a typed 429, the limit configurable', async () => {
    const relay = await startTestRelay({ turn: TURN, rateLimits: { icePerAddress: 2 } });
    try {
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await fetch(`${relay.base}/ice-servers`));
      expect(answers.map((r) => r.status)).toEqual([200, 200, 429]);
      const refused = answers[2]!;
      expect(((await refused.json()) as { code: string }).code).toBe('ERR_RATE_LIMITED');
      expect(refused.headers.get('cache-control')).toBe('no-store');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await relay.close();
    }
  });

  it('without TURN lists no servers and allows every path', async () => {
    const body = (await (await fetch(`${without.base}/ice-servers`)).json()) as unknown;
    const config = parseIceConfig(body, without.clock.now());
    expect(config).toMatchObject({ iceServers: [], iceTransportPolicy: 'all' });
  });
});

describe('TURN settings', () => {
  const base = {
    publicUrl: 'http://relay.test',
    deviceLink: new FakeDeviceLink(),
    production: false,
  };
  it.each([
    [{ ...TURN, urls: [] }, /turn.urls/],
    [{ ...TURN, urls: ['http://turn.example'] }, /not a turn: URL/],
    [{ ...TURN, urls: ['turn:turn.example/path'] }, /not a turn: URL/],
    [{ ...TURN, secret: 'short' }, /turn.secret/],
    [{ ...TURN, ttlSeconds: 10 }, /turn.ttlSeconds/],
    [{ ...TURN, policy: 'none' as IcePolicy }, /turn.policy/],
  ])('refuses %o', (turn, message) => {
    expect(() => resolveRelayConfig({ ...base, turn })).toThrow(message);
  });

  it('reads them from the environment, both or neither', () => {
    expect(
      relayOptionsFromEnv({
        DISCO_RELAY_TURN_URLS: 'turn:a.example:3478?transport=udp, turns:a.example:5349',
        DISCO_RELAY_TURN_SECRET: SECRET,
        DISCO_RELAY_TURN_TTL_SECONDS: '3600',
        DISCO_RELAY_TURN_POLICY: 'all',
        DISCO_RELAY_RATE_ICE_PER_ADDRESS: '5',
      }),
    ).toEqual({
      turn: {
        urls: ['turn:a.example:3478?transport=udp', 'turns:a.example:5349'],
        secret: SECRET,
        ttlSeconds: 3600,
        policy: 'all',
      },
      rateLimits: { icePerAddress: 5 },
    });
    expect(() => relayOptionsFromEnv({ DISCO_RELAY_TURN_URLS: 'turn:a.example' })).toThrow(
      /go together/,
    );
    expect(() => relayOptionsFromEnv({ DISCO_RELAY_TURN_POLICY: 'relay' })).toThrow(/must be set/);
    expect(() =>
      relayOptionsFromEnv({
        DISCO_RELAY_TURN_URLS: 'turn:a.example',
        DISCO_RELAY_TURN_SECRET: SECRET,
        DISCO_RELAY_TURN_POLICY: 'direct',
      }),
    ).toThrow(/relay or all/);
  });
});
