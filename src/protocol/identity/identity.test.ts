import { describe, expect, it } from 'vitest';
import { calculateJwkThumbprint } from 'jose';
import { MemoryStore } from '../storage/memory_store.js';
import { systemRandom } from '../encoding/index.js';
import { isDiscoError } from '../errors/index.js';
import { setupDevice, loadDevice } from './setup_device.js';
import { fingerprintOf } from './device_id.js';
import { PBKDF2_MIN_ITERATIONS } from './passphrase_key.js';

const opts = {
  passphrase: 'a long enough passphrase',
  clock: { now: () => 5 },
  random: systemRandom,
  iterations: PBKDF2_MIN_ITERATIONS,
};

describe('device identity', () => {
  it('creates non-extractable Ed25519 and X25519 keys and an RFC 7638 device id', async () => {
    const store = new MemoryStore();
    const { identity, keys } = await setupDevice(store, opts);
    expect(keys.signing.extractable).toBe(false);
    expect(keys.envelope.extractable).toBe(false);
    expect(keys.signing.algorithm.name).toBe('Ed25519');
    expect(keys.envelope.algorithm.name).toBe('X25519');
    expect(identity.signingJwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String) });
    expect(identity.envelopeJwk).toEqual({ kty: 'OKP', crv: 'X25519', x: expect.any(String) });
    expect(identity.deviceId).toBe(await calculateJwkThumbprint(identity.signingJwk));
    expect(JSON.stringify(identity)).not.toContain('"d"');
    const loaded = await loadDevice(store);
    expect(loaded?.identity).toEqual(identity);
  });

  it('never replaces an existing identity', async () => {
    const store = new MemoryStore();
    const first = await setupDevice(store, opts);
    await expect(setupDevice(store, opts)).rejects.toSatisfy((e) =>
      isDiscoError(e, 'ERR_IDENTITY_EXISTS'),
    );
    expect((await loadDevice(store))?.identity.deviceId).toBe(first.identity.deviceId);
  });

  it('refuses a short passphrase', async () => {
    await expect(
      setupDevice(new MemoryStore(), { ...opts, passphrase: 'short' }),
    ).rejects.toSatisfy((e) => isDiscoError(e, 'ERR_PASSPHRASE_WEAK'));
  });

  it('shows a base32 fingerprint of the first 160 bits, in 8 groups of 4', () => {
    // 20 zero bytes then anything → all 'A'; 0xff… → all '7' (canonical: the last character's pad bits are 0)
    expect(fingerprintOf('A'.repeat(43))).toBe('AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA');
    expect(fingerprintOf('_'.repeat(42) + 'w')).toBe('7777-7777-7777-7777-7777-7777-7777-7777');
    // RFC 4648 §10: BASE32("foobar") = MZXW6YTBOI======
    const foobar = Buffer.from('foobar'.padEnd(32, '\0')).toString('base64url');
    expect(fingerprintOf(foobar).replace(/-/g, '').slice(0, 10)).toBe('MZXW6YTBOI');
  });
});
