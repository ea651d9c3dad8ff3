import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../storage/memory_store.js';
import { setupDevice } from '../identity/setup_device.js';
import { systemRandom } from '../encoding/index.js';
import { PBKDF2_MIN_ITERATIONS } from '../identity/passphrase_key.js';
import { handleRequest } from './handle_request.js';

const origin = 'https://device.test';
const clock = { now: () => 0 };
const get = (path: string, method = 'GET', body?: Uint8Array) => ({
  method,
  path,
  headers: {},
  ...(body ? { body } : {}),
});

describe('engine host', () => {
  it('answers disco-configuration from the store', async () => {
    const store = new MemoryStore();
    const { identity } = await setupDevice(store, {
      passphrase: 'twelve chars or more',
      clock,
      random: systemRandom,
      iterations: PBKDF2_MIN_ITERATIONS,
    });
    const res = await handleRequest(get('/disco/.well-known/disco-configuration'), {
      store,
      clock,
      origin,
      random: systemRandom,
    });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = JSON.parse(res.body) as {
      device_id: string;
      jwks: { keys: Array<Record<string, string>> };
      endpoints: Record<string, string>;
    };
    expect(body.device_id).toBe(identity.deviceId);
    expect(body.jwks.keys.map((k) => k.x)).toEqual([identity.signingJwk.x, identity.envelopeJwk.x]);
    expect(body.jwks.keys.some((k) => 'd' in k)).toBe(false);
    expect(body.endpoints.configuration).toBe(`${origin}/disco/.well-known/disco-configuration`);
  });

  it('a device without identity answers 503 ERR_IDENTITY_MISSING', async () => {
    const res = await handleRequest(get('/disco/.well-known/disco-configuration'), {
      store: new MemoryStore(),
      clock,
      origin,
      random: systemRandom,
    });
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({
      error: 'temporarily_unavailable',
      code: 'ERR_IDENTITY_MISSING',
    });
  });

  it('unknown path → 404, wrong method → 405 with Allow, oversized body → 413', async () => {
    const deps = { store: new MemoryStore(), clock, origin, random: systemRandom };
    const r404 = await handleRequest(get('/disco/nope'), deps);
    expect([r404.status, JSON.parse(r404.body).code]).toEqual([404, 'ERR_NOT_FOUND']);
    const r405 = await handleRequest(get('/disco/.well-known/disco-configuration', 'DELETE'), deps);
    expect([r405.status, JSON.parse(r405.body).code, r405.headers.allow]).toEqual([
      405,
      'ERR_METHOD_NOT_ALLOWED',
      'GET',
    ]);
    const r413 = await handleRequest(
      get('/disco/.well-known/disco-configuration', 'GET', new Uint8Array(256 * 1024 + 1)),
      deps,
    );
    expect([r413.status, JSON.parse(r413.body).code]).toEqual([413, 'ERR_TOO_LARGE']);
  });

  it('a store failure becomes server_error with no internals', async () => {
    const store = new MemoryStore();
    store.get = () => Promise.reject(new Error('disk on fire at /secret/path'));
    const res = await handleRequest(get('/disco/.well-known/disco-configuration'), {
      store,
      clock,
      origin,
      random: systemRandom,
    });
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body)).toEqual({
      error: 'server_error',
      error_description: 'internal error',
      code: 'ERR_INTERNAL',
    });
  });
});
