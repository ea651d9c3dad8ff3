import { describe, expect, it } from 'vitest';
import { codeOf } from '../../testing/code_of.js';
import { fetchIceConfig, iceConfigToWire, parseIceConfig } from './ice_config.js';

const NOW = 1_800_000_000_000;
const good = () => ({
  ice_servers: [
    {
      urls: ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp'],
      username: '1800003600:abc',
      credential: 'c2VjcmV0',
    },
    { urls: ['stun:stun.example:3478'] },
  ],
  ice_transport_policy: 'relay',
  expires_at: NOW / 1000 + 3600,
});

describe('ICE configuration (GET /ice-servers)', () => {
  it('reads a relay answer into WebRTC shape and writes it back unchanged', () => {
    const config = parseIceConfig(good(), NOW);
    expect(config.iceTransportPolicy).toBe('relay');
    expect(config.expiresAt).toBe(NOW + 3_600_000);
    expect(config.iceServers[0]).toEqual({
      urls: ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp'],
      username: '1800003600:abc',
      credential: 'c2VjcmV0',
    });
    expect(config.iceServers[1]).toEqual({ urls: ['stun:stun.example:3478'] });
    expect(iceConfigToWire(config)).toEqual(good());
  });

  it('accepts no servers with the "all" policy (a relay without TURN)', () => {
    const config = parseIceConfig({ ...good(), ice_servers: [], ice_transport_policy: 'all' }, NOW);
    expect(config.iceServers).toEqual([]);
  });

  const broken: [string, (b: ReturnType<typeof good>) => unknown][] = [
    ['not an object', () => 'turn:x'],
    ['an array', () => []],
    ['an unknown policy', (b) => ({ ...b, ice_transport_policy: 'public' })],
    ['expired credentials', (b) => ({ ...b, expires_at: NOW / 1000 - 1 })],
    ['a fractional expiry', (b) => ({ ...b, expires_at: NOW / 1000 + 0.5 })],
    ['servers not a list', (b) => ({ ...b, ice_servers: {} })],
    ['too many servers', (b) => ({ ...b, ice_servers: Array(9).fill(b.ice_servers[1]) })],
    ['an http URL', (b) => ({ ...b, ice_servers: [{ urls: ['https://evil.example'] }] })],
    ['a URL with a path', (b) => ({ ...b, ice_servers: [{ urls: ['stun:a.example/x'] }] })],
    ['a string for urls', (b) => ({ ...b, ice_servers: [{ urls: 'stun:a.example' }] })],
    [
      'a TURN server without credentials',
      (b) => ({ ...b, ice_servers: [{ urls: ['turn:a.example'] }] }),
    ],
    [
      'an oversized credential',
      (b) => ({
        ...b,
        ice_servers: [{ ...b.ice_servers[0], credential: 'x'.repeat(513) }],
      }),
    ],
    ['relay-only with STUN alone', (b) => ({ ...b, ice_servers: [b.ice_servers[1]] })],
  ];
  it.each(broken)('refuses %s with ERR_TRANSPORT_FAILED', async (_name, make) => {
    const parsed = Promise.resolve().then(() => parseIceConfig(make(good()), NOW));
    expect(await codeOf(parsed)).toBe('ERR_TRANSPORT_FAILED');
  });

  it('fetches from <relay>/ice-servers and types every failure', async () => {
    const seen: string[] = [];
    const answer =
      (res: Response): typeof fetch =>
      (url) => {
        seen.push(url instanceof Request ? url.url : url.toString());
        return Promise.resolve(res);
      };
    const ok = await fetchIceConfig('http://relay.test/', answer(Response.json(good())), () => NOW);
    expect(ok.iceServers).toHaveLength(2);
    expect(seen).toEqual(['http://relay.test/ice-servers']);
    const refused: typeof fetch = () => Promise.reject(new TypeError('fetch failed'));
    for (const f of [
      refused,
      answer(new Response('busy', { status: 503 })),
      answer(new Response('<html>', { status: 200 })),
    ]) {
      const fetched = fetchIceConfig('http://relay.test', f, () => NOW);
      expect(await codeOf(fetched)).toBe('ERR_TRANSPORT_FAILED');
    }
  });
});
