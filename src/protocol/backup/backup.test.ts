import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../storage/memory_store.js';
import { setupDevice, loadDevice } from '../identity/setup_device.js';
import { PBKDF2_MIN_ITERATIONS } from '../identity/passphrase_key.js';
import { systemRandom, utf8 } from '../encoding/index.js';
import { exportBackup } from './export_backup.js';
import { restoreBackup } from './restore_backup.js';
import { openBackup } from './open_backup.js';
import { sealBackup } from './seal_backup.js';
import { codeOf } from '../../testing/code_of.js';

const PASS = 'correct horse battery staple';
const iterations = PBKDF2_MIN_ITERATIONS; // the floor restore accepts; keeps the suite fast
const clock = { now: () => 1_700_000_000_000 };

async function device() {
  const store = new MemoryStore();
  const created = await setupDevice(store, {
    passphrase: PASS,
    clock,
    random: systemRandom,
    iterations,
  });
  await store.write([
    {
      op: 'put',
      collection: 'vault',
      key: 'name',
      value: { kind: 'name', value: 'Ada Lovelace', updatedAt: 1 },
    },
    {
      op: 'put',
      collection: 'vault',
      key: 'address',
      value: {
        kind: 'address',
        value: { street_address: '12 St James Sq', locality: 'London', country: 'UK' },
        updatedAt: 2,
      },
    },
  ]);
  const file = await exportBackup(store, PASS, {
    random: systemRandom,
    now: clock.now(),
    iterations,
  });
  return { store, created, file };
}

async function snapshot(store: MemoryStore) {
  return JSON.stringify((await store.listAll()).filter((r) => r.collection !== 'keys'));
}

describe('backup', () => {
  it('round trip: a fresh device gets the same vault and the same device id, keys non-extractable', async () => {
    const { store, created, file } = await device();
    const fresh = new MemoryStore();
    const identity = await restoreBackup(fresh, file, PASS, { now: clock.now() });
    expect(identity.deviceId).toBe(created.identity.deviceId);
    expect(await fresh.list('vault')).toEqual(await store.list('vault'));
    const loaded = await loadDevice(fresh);
    expect(loaded?.keys.signing.extractable).toBe(false);
    expect(loaded?.keys.envelope.extractable).toBe(false);
    // the restored signing key signs for the original public key
    const msg = new Uint8Array([7, 7]);
    const sig = await crypto.subtle.sign('Ed25519', loaded!.keys.signing, msg);
    const pub = await crypto.subtle.importKey(
      'jwk',
      created.identity.signingJwk as JsonWebKey,
      'Ed25519',
      false,
      ['verify'],
    );
    expect(await crypto.subtle.verify('Ed25519', pub, sig, msg)).toBe(true);
  });

  it('the file never holds the vault or keys in clear', async () => {
    const { file } = await device();
    const text = utf8.decode(file);
    expect(text).not.toContain('Lovelace');
    expect(text).not.toContain('"d"');
    expect(JSON.parse(text)).toMatchObject({ format: 'disco-backup', version: 1 });
  });

  it('export refuses a passphrase that is not the device passphrase', async () => {
    const { store } = await device();
    expect(
      await codeOf(
        exportBackup(store, 'another long passphrase', {
          random: systemRandom,
          now: 0,
          iterations,
        }),
      ),
    ).toBe('ERR_BACKUP_DECRYPT');
  });

  it('wrong passphrase → ERR_BACKUP_DECRYPT and nothing on the target changes', async () => {
    const { file } = await device();
    const { store: target } = await device();
    const before = await snapshot(target);
    expect(await codeOf(restoreBackup(target, file, 'not the passphrase!', { now: 0 }))).toBe(
      'ERR_BACKUP_DECRYPT',
    );
    expect(await snapshot(target)).toBe(before);
  });

  it('any flipped byte of the ciphertext or header → ERR_BACKUP_DECRYPT or MALFORMED, nothing written', async () => {
    const { file } = await device();
    const text = utf8.decode(file);
    const parsed = JSON.parse(text) as Record<string, unknown> & {
      ciphertext: string;
      cipher: { iv: string };
      kdf: { salt: string };
    };
    const flip = (s: string, i: number) =>
      s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const variants = [
      { ...parsed, ciphertext: flip(parsed.ciphertext, 10) },
      { ...parsed, ciphertext: flip(parsed.ciphertext, parsed.ciphertext.length - 3) },
      { ...parsed, cipher: { ...parsed.cipher, iv: flip(parsed.cipher.iv, 2) } },
      { ...parsed, kdf: { ...parsed.kdf, salt: flip(parsed.kdf.salt, 2) } },
    ];
    for (const v of variants) {
      const target = new MemoryStore();
      expect(
        await codeOf(restoreBackup(target, utf8.encode(JSON.stringify(v)), PASS, { now: 0 })),
      ).toMatch(/^ERR_BACKUP_(DECRYPT|MALFORMED)$/);
      expect(await target.listAll()).toEqual([]);
    }
  });

  it('truncated file, garbage, wrong version, oversized → typed errors', async () => {
    const { file } = await device();
    expect(await codeOf(openBackup(file.slice(0, file.length - 20), PASS))).toBe(
      'ERR_BACKUP_MALFORMED',
    );
    expect(await codeOf(openBackup(file.slice(0, 10), PASS))).toBe('ERR_BACKUP_MALFORMED');
    expect(await codeOf(openBackup(new Uint8Array([0xff, 0xfe, 0]), PASS))).toBe(
      'ERR_BACKUP_MALFORMED',
    );
    expect(await codeOf(openBackup(utf8.encode('[]'), PASS))).toBe('ERR_BACKUP_MALFORMED');
    const v2 = { ...JSON.parse(utf8.decode(file)), version: 2 };
    expect(await codeOf(openBackup(utf8.encode(JSON.stringify(v2)), PASS))).toBe(
      'ERR_BACKUP_VERSION',
    );
    const weak = JSON.parse(utf8.decode(file)) as { kdf: { iterations: number } };
    weak.kdf.iterations = 1000;
    expect(await codeOf(openBackup(utf8.encode(JSON.stringify(weak)), PASS))).toBe(
      'ERR_BACKUP_MALFORMED',
    );
    expect(await codeOf(openBackup(new Uint8Array(64 * 1024 * 1024 + 1), PASS))).toBe(
      'ERR_TOO_LARGE',
    );
  });

  it('a well-encrypted file with a bad record is refused whole', async () => {
    const { file } = await device();
    const payload = await openBackup(file, PASS);
    const bad = structuredClone(payload);
    bad.records.push({
      collection: 'vault',
      key: 'email',
      value: { kind: 'email', value: 'not-an-email', updatedAt: 1 },
    });
    const target = new MemoryStore();
    const resealed = await sealBackup(bad, PASS, { random: systemRandom, iterations });
    expect(await codeOf(restoreBackup(target, resealed, PASS, { now: 0 }))).toBe(
      'ERR_VAULT_INVALID',
    );
    const planted = structuredClone(payload);
    planted.records.push({ collection: 'keys', key: 'device', value: {} });
    expect(
      await codeOf(
        restoreBackup(
          target,
          await sealBackup(planted, PASS, { random: systemRandom, iterations }),
          PASS,
          { now: 0 },
        ),
      ),
    ).toBe('ERR_BACKUP_MALFORMED');
    const foreign = structuredClone(payload);
    foreign.records.push({ collection: 'mystery', key: 'x', value: 1 });
    expect(
      await codeOf(
        restoreBackup(
          target,
          await sealBackup(foreign, PASS, { random: systemRandom, iterations }),
          PASS,
          { now: 0 },
        ),
      ),
    ).toBe('ERR_BACKUP_MALFORMED');
    expect(await target.listAll()).toEqual([]);
  });

  it('a swapped identity (keys of another device under this id) is refused', async () => {
    const a = await device();
    const b = await device();
    const pa = await openBackup(a.file, PASS);
    const pb = await openBackup(b.file, PASS);
    const idA = pa.records.find((r) => r.collection === 'identity')!.value as { wrapped: unknown };
    const idB = pb.records.find((r) => r.collection === 'identity')!.value as { wrapped: unknown };
    idA.wrapped = idB.wrapped;
    const target = new MemoryStore();
    expect(
      await codeOf(
        restoreBackup(
          target,
          await sealBackup(pa, PASS, { random: systemRandom, iterations }),
          PASS,
          { now: 0 },
        ),
      ),
    ).toBe('ERR_BACKUP_DECRYPT');
    expect(await target.listAll()).toEqual([]);
  });
});
