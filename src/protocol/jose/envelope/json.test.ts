import { beforeAll, describe, expect, it } from 'vitest';
import { openJson } from './open_json.js';
import { seal } from './seal.js';
import { sealJson } from './seal_json.js';
import { codeOf } from '../../../testing/code_of.js';

let device: CryptoKeyPair;

beforeAll(async () => {
  device = await globalThis.crypto.subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']);
});

describe('sealJson / openJson', () => {
  it('round-trips a JSON value, UTF-8 included', async () => {
    const value = { client_id: 'shop', scope: ['address'], n: 1.5, ok: true, nested: { ü: '✓' } };
    const jwe = await sealJson(value, device.publicKey, { contentType: 'json' });
    const opened = await openJson(jwe, device.privateKey);
    expect(opened.value).toEqual(value);
    expect(opened.protectedHeader.cty).toBe('json');
  });

  it('round-trips JSON scalars', async () => {
    for (const value of [null, 0, 'text', false, []]) {
      expect(
        (await openJson(await sealJson(value, device.publicKey), device.privateKey)).value,
      ).toEqual(value);
    }
  });

  it('refuses values with no JSON form with ERR_INVALID_INPUT', async () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const value of [undefined, () => 1, 10n, cycle]) {
      expect(await codeOf(sealJson(value, device.publicKey))).toBe('ERR_INVALID_INPUT');
    }
  });

  it('refuses an authentic plaintext that is not UTF-8 JSON with ERR_JWE_MALFORMED', async () => {
    for (const plaintext of [
      new TextEncoder().encode('{not json'),
      new Uint8Array([0x22, 0xff, 0x22]),
    ]) {
      const jwe = await seal(plaintext, device.publicKey);
      expect(await codeOf(openJson(jwe, device.privateKey))).toBe('ERR_JWE_MALFORMED');
    }
  });

  it('passes open errors through', async () => {
    const jwe = await sealJson({ a: 1 }, device.publicKey);
    expect(await codeOf(openJson(`${jwe}x`, device.privateKey))).toBe('ERR_JWE_MALFORMED');
    expect(await codeOf(openJson(jwe, device.publicKey))).toBe('ERR_JWE_KEY_UNSUPPORTED');
  });
});
