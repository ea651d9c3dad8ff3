import { describe, expect, it } from 'vitest';
import { addressAllowed, addressKind, checkCallbackUrl } from './address_guard.js';
import { addressKey } from './rate_limits.js';

describe('addressKind', () => {
  it.each([
    ['93.184.216.34', 'public'],
    ['8.8.8.8', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['2a00:1450:4001:80b::200e', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['0.0.0.0', 'other'],
    ['0.1.2.3', 'other'],
    ['::', 'other'],
    ['10.0.0.1', 'other'],
    ['172.16.5.4', 'other'],
    ['192.168.1.1', 'other'],
    ['169.254.169.254', 'other'],
    ['100.64.0.1', 'other'],
    ['192.0.2.1', 'other'],
    ['198.18.0.1', 'other'],
    ['224.0.0.1', 'other'],
    ['255.255.255.255', 'other'],
    ['::ffff:10.0.0.1', 'other'],
    ['::ffff:169.254.169.254', 'other'],
    ['::ffff:8.8.8.8', 'public'],
    ['fe80::1', 'other'],
    ['fc00::1', 'other'],
    ['fd12:3456::1', 'other'],
    ['ff02::1', 'other'],
    ['64:ff9b::a00:1', 'other'],
    ['2002:a00:1::1', 'other'],
    ['2001:db8::1', 'other'],
    ['2001::1', 'other'],
    ['::7f00:1', 'other'],
    ['not-an-ip', 'other'],
    ['', 'other'],
  ])('%s is %s', (ip, kind) => {
    expect(addressKind(ip)).toBe(kind);
  });

  it('allows loopback only when told', () => {
    expect(addressAllowed('127.0.0.1', false)).toBe(false);
    expect(addressAllowed('127.0.0.1', true)).toBe(true);
    expect(addressAllowed('10.0.0.1', true)).toBe(false);
  });
});

describe('checkCallbackUrl', () => {
  const dns: Record<string, string[]> = {
    'rp.example': ['93.184.216.34', '2606:4700:4700::1111'],
    'mixed.example': ['93.184.216.34', '192.168.0.10'],
    'metadata.example': ['169.254.169.254'],
  };
  const opts = (allowLoopback = false) => ({
    allowLoopback,
    resolveHost: (host: string) =>
      dns[host] ? Promise.resolve(dns[host]) : Promise.reject(new Error('ENOTFOUND')),
  });
  const outcome = (url: unknown, allowLoopback = false) =>
    checkCallbackUrl(url, opts(allowLoopback)).then(
      (u) => u.href,
      (e: { code: string }) => e.code,
    );

  it('accepts https to public addresses, without the fragment', async () => {
    expect(await outcome('https://rp.example/cb?x=1#f')).toBe('https://rp.example/cb?x=1');
    expect(await outcome('https://8.8.8.8:8443/cb')).toBe('https://8.8.8.8:8443/cb');
  });

  it.each([
    'http://rp.example/cb',
    'ftp://rp.example/cb',
    'https://mixed.example/cb',
    'https://metadata.example/',
    'https://unknown.example/',
    'https://a:b@rp.example/',
    'https://127.0.0.1/',
    'https://0x7f.1/',
    'https://2130706433/',
    'https://[::ffff:7f00:1]/',
    'https://[::1]/',
    'https://0.0.0.0/',
    '/relative',
    `https://rp.example/${'x'.repeat(2100)}`,
  ])('refuses %s', async (url) => {
    expect(await outcome(url)).toBe('ERR_CALLBACK_REFUSED');
  });

  it('refuses non-strings', async () => {
    expect(await outcome(['https://rp.example/'])).toBe('ERR_CALLBACK_REFUSED');
  });

  it('allows http and loopback in dev/test, never private addresses', async () => {
    expect(await outcome('http://127.0.0.1:9/cb', true)).toBe('http://127.0.0.1:9/cb');
    expect(await outcome('http://[::1]:9/cb', true)).toBe('http://[::1]:9/cb');
    expect(await outcome('http://10.0.0.1/cb', true)).toBe('ERR_CALLBACK_REFUSED');
  });
});

describe('addressKey (rate limits)', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['2001:db8:1:2ff:aaaa::1', '2001:db8:1:200::/56'],
    ['2001:db8:1:2aa:bbbb::2', '2001:db8:1:200::/56'],
    [undefined, 'unknown'],
  ])('%s → %s', (ip, key) => {
    expect(addressKey(ip)).toBe(key);
  });
});
