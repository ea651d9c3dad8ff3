import { describe, expect, it } from 'vitest';
import { parsePageToWorker, parseWorkerToPage } from './messages.js';

describe('page → worker messages', () => {
  const request = (over: Record<string, unknown> = {}) => ({
    type: 'ENGINE_REQUEST',
    request: {
      method: 'POST',
      path: '/disco/auth/authorize?x=1',
      headers: { 'content-type': 'application/jose' },
      body: new ArrayBuffer(3),
      ...over,
    },
  });

  it('accepts an engine request under /disco/ in its normal form', () => {
    const m = parsePageToWorker(request());
    expect(m).toMatchObject({ type: 'ENGINE_REQUEST', request: { method: 'POST' } });
    expect(parsePageToWorker(request({ body: undefined }))?.type).toBe('ENGINE_REQUEST');
  });

  it.each([
    ['a path outside /disco/', { path: '/app-config.json' }],
    ['dot segments', { path: '/disco/../index.html' }],
    ['an encoded dot segment', { path: '/disco/%2e%2e/index.html' }],
    ['a backslash', { path: '/disco/..\\index.html' }],
    ['another host', { path: '//evil.example/disco/x' }],
    ['an absolute URL', { path: 'https://evil.example/disco/x' }],
    ['an unknown method', { method: 'TRACE' }],
    ['a header that is not a string', { headers: { a: 1 } }],
    [
      'too many headers',
      { headers: Object.fromEntries([...Array(65)].map((_, i) => [`h${i}`, 'v'])) },
    ],
    ['a body that is not an ArrayBuffer', { body: 'text' }],
    ['a body past 1 MiB', { body: new ArrayBuffer(1024 * 1024 + 1) }],
  ])('refuses %s', (_, over) => {
    expect(parsePageToWorker(request(over))).toBeUndefined();
  });

  it('refuses what is not a message', () => {
    for (const m of [null, 1, 'ENGINE_HELLO', [], { type: 'NOPE' }, { type: 'ENGINE_REQUEST' }])
      expect(parsePageToWorker(m)).toBeUndefined();
    expect(parsePageToWorker({ type: 'ENGINE_HELLO' })).toEqual({ type: 'ENGINE_HELLO' });
  });

  it('takes the update announcement with nothing else carried along', () => {
    expect(parsePageToWorker({ type: 'UPDATING', extra: 'x' })).toEqual({ type: 'UPDATING' });
    expect(parsePageToWorker({ type: 'updating' })).toBeUndefined();
  });
});

describe('worker → page messages', () => {
  it('accepts an engine response and refuses a malformed one', () => {
    const ok = { type: 'ENGINE_RESPONSE', status: 400, headers: { a: 'b' }, body: '{}' };
    expect(parseWorkerToPage(ok)).toEqual(ok);
    for (const bad of [
      { ...ok, status: 99 },
      { ...ok, status: 200.5 },
      { ...ok, headers: null },
      { ...ok, body: new ArrayBuffer(1) },
    ])
      expect(parseWorkerToPage(bad)).toBeUndefined();
    expect(parseWorkerToPage({ type: 'ENGINE_READY' })).toEqual({ type: 'ENGINE_READY' });
  });
});
