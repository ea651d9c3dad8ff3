import { describe, expect, it } from 'vitest';
import { resolveRelayConfig, type RelayOptions } from './config.js';
import { localStackSwitches, relayOptionsFromEnv } from './config_env.js';
import { createRelay } from './create_relay.js';
import { DEFAULT_RATE_LIMITS } from './rate_limit_config.js';
import { FakeDeviceLink } from './testing.js';

const base = (more: Partial<RelayOptions> = {}): RelayOptions => ({
  publicUrl: 'https://relay.example/',
  deviceLink: new FakeDeviceLink(),
  production: false,
  ...more,
});

describe('relay config', () => {
  it('fills in the defaults', () => {
    const config = resolveRelayConfig(base());
    expect(config).toMatchObject({
      publicUrl: 'https://relay.example',
      peerjsPath: '/peerjs',
      uidLifetimeSeconds: 300,
      longPollSeconds: 25,
      allowLoopbackCallbacks: false,
      tamperForTests: false,
      trustProxy: false,
      rateLimits: DEFAULT_RATE_LIMITS,
      callbackTimeoutMs: 5000,
    });
  });

  it.each<[Partial<RelayOptions>, RegExp]>([
    [{ publicUrl: 'relay.example' }, /publicUrl/],
    [{ publicUrl: 'https://relay.example/?a=1' }, /publicUrl/],
    [{ publicUrl: 'ftp://relay.example' }, /publicUrl/],
    [{ publicUrl: 'http://relay.example', production: true }, /https in production/],
    [{ uidLifetimeSeconds: 5 }, /uidLifetimeSeconds/],
    [{ uidLifetimeSeconds: 1.5 }, /uidLifetimeSeconds/],
    [{ peerjsPath: 'peerjs' }, /peerjsPath/],
    [{ peerjsPath: '/uid' }, /peerjsPath/],
    [{ trustProxy: 'true' }, /never "true"/],
    [{ rateLimits: { pairPerAddress: 0 } }, /rateLimits.pairPerAddress/],
    [{ allowLoopbackCallbacks: true, production: true }, /development and tests only/],
    [{ tamperForTests: true, production: true }, /tests only/],
    [{ deviceLink: undefined as never }, /deviceLink/],
  ])('refuses %o', (more, message) => {
    expect(() => resolveRelayConfig(base(more))).toThrow(message);
  });

  it('reads the environment', () => {
    expect(
      relayOptionsFromEnv({
        DISCO_RELAY_PUBLIC_URL: 'https://relay.example',
        DISCO_RELAY_UID_LIFETIME_SECONDS: '120',
        DISCO_RELAY_ALLOW_LOOPBACK_CALLBACKS: 'true',
        DISCO_RELAY_TRUST_PROXY: '1',
        DISCO_RELAY_RATE_PAIR_PER_ADDRESS: '5',
        DISCO_RELAY_PEERJS_PATH: '',
      }),
    ).toEqual({
      publicUrl: 'https://relay.example',
      uidLifetimeSeconds: 120,
      allowLoopbackCallbacks: true,
      trustProxy: 1,
      rateLimits: { pairPerAddress: 5 },
    });
    expect(relayOptionsFromEnv({ DISCO_RELAY_TRUST_PROXY: 'loopback, 10.0.0.0/8' })).toEqual({
      trustProxy: 'loopback, 10.0.0.0/8',
    });
    expect(() => relayOptionsFromEnv({ DISCO_RELAY_MAX_PEERS: 'many' })).toThrow(
      /DISCO_RELAY_MAX_PEERS/,
    );
    expect(() => relayOptionsFromEnv({ DISCO_RELAY_TAMPER_FOR_TESTS: 'yes' })).toThrow(
      /DISCO_RELAY_TAMPER_FOR_TESTS/,
    );
  });

  it('chooses the memory store unless DISCO_REDIS_URL names a Redis (issue #14)', () => {
    expect(relayOptionsFromEnv({})).toEqual({});
    expect(resolveRelayConfig(base()).redisUrl).toBeUndefined();
    expect(
      relayOptionsFromEnv({ DISCO_REDIS_URL: 'redis://127.0.0.1:6379', DISCO_REDIS_PREFIX: 'c:' }),
    ).toEqual({ redisUrl: 'redis://127.0.0.1:6379', redisPrefix: 'c:' });
    expect(resolveRelayConfig(base({ redisUrl: 'redis://127.0.0.1:6379' }))).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      redisPrefix: 'disco:',
    });
    expect(() => resolveRelayConfig(base({ redisUrl: 'http://127.0.0.1:6379' }))).toThrow(
      /redisUrl/,
    );
    // createRelay cannot connect (it is synchronous): startRelay does, or the caller passes a
    // connected cluster
    expect(() => createRelay(base({ redisUrl: 'redis://127.0.0.1:6379' }))).toThrow(/startRelay/);
  });
});

describe('npm start dev switches come from the environment (issue #12.13)', () => {
  it('are off under NODE_ENV=production, on otherwise, and say when they are exposed', () => {
    expect(
      localStackSwitches({ NODE_ENV: 'production', DISCO_RELAY_TAMPER: '1' }, '0.0.0.0'),
    ).toEqual({
      production: true,
      allowLoopbackCallbacks: false,
      tamperForTests: false,
      exposed: false,
    });
    expect(localStackSwitches({}, '127.0.0.1')).toEqual({
      production: false,
      allowLoopbackCallbacks: true,
      tamperForTests: false,
      exposed: false,
    });
    expect(localStackSwitches({ DISCO_RELAY_TAMPER: '1' }, '::1').tamperForTests).toBe(true);
    expect(localStackSwitches({}, '192.168.1.20').exposed).toBe(true);
    expect(localStackSwitches({}, '0.0.0.0').exposed).toBe(true);
  });
});
