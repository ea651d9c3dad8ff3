/**
 * The smallest inputs the fuzzing of issue #11 found, one test each: before the fix each escaped
 * as a TypeError (or a library's own error) instead of a DiscoError with a stable code.
 */
import { describe, expect, it } from 'vitest';
import { isDiscoError } from '../errors/index.js';
import { b64u, systemRandom, utf8 } from '../encoding/index.js';
import { fingerprintOf } from '../identity/device_id.js';
import { peerIdOf } from '../tunnel/peer_id.js';
import { verifyPeerToken } from '../tunnel/peer_token.js';
import { openBackup } from '../backup/open_backup.js';
import { sealBackup } from '../backup/seal_backup.js';
import { restoreBackup } from '../backup/restore_backup.js';
import { checkBackupRecord } from '../backup/collections.js';
import { BACKUP_MAX_DEPTH } from '../backup/format.js';
import { PBKDF2_MIN_ITERATIONS } from '../identity/passphrase_key.js';
import { parsePairingCode } from '../pairing/pairing.js';
import { MemoryStore } from '../storage/memory_store.js';
import { codeOf } from '../../testing/code_of.js';
import { CLOCK_MS, PASSPHRASE, samples } from './fixtures.js';

function codeOfSync(run: () => unknown): string {
  try {
    run();
    return 'returned';
  } catch (err) {
    return isDiscoError(err) ? err.code : `not a DiscoError: ${String(err)}`;
  }
}

const b64uJson = (v: unknown) => b64u.encode(utf8.encode(JSON.stringify(v)));

describe('fuzz regressions', () => {
  it('b64u.decode(" ") and b64u.decode("x"): ERR_INVALID_INPUT (was TypeError)', () => {
    expect(codeOfSync(() => b64u.decode(' '))).toBe('ERR_INVALID_INPUT');
    expect(codeOfSync(() => b64u.decode('x'))).toBe('ERR_INVALID_INPUT'); // 1 char: no byte
    expect(codeOfSync(() => b64u.decode('AB'))).toBe('ERR_INVALID_INPUT'); // pad bits set
    expect(b64u.decode('AA')).toEqual(new Uint8Array([0]));
  });

  it('utf8.decode of a lone continuation byte: ERR_INVALID_INPUT (was TypeError)', () => {
    expect(codeOfSync(() => utf8.decode(new Uint8Array([0xb1])))).toBe('ERR_INVALID_INPUT');
  });

  it('fingerprintOf("__"): ERR_INVALID_INPUT (was "Cannot read properties of null")', () => {
    expect(codeOfSync(() => fingerprintOf('__'))).toBe('ERR_INVALID_INPUT');
    expect(codeOfSync(() => fingerprintOf('A'.repeat(42)))).toBe('ERR_INVALID_INPUT');
  });

  it('peerIdOf("x"): ERR_INVALID_INPUT (was TypeError), a short id never gives a short peer id', () => {
    expect(codeOfSync(() => peerIdOf('x'))).toBe('ERR_INVALID_INPUT');
    expect(codeOfSync(() => peerIdOf('AAAA'))).toBe('ERR_INVALID_INPUT');
  });

  it('a peer token whose jwk has no "x": ERR_REQUEST_SIGNATURE (was jose JWKInvalid)', async () => {
    const { peerId } = await samples();
    const header = { alg: 'EdDSA', typ: 'disco-peer+jwt', jwk: { kty: 'OKP', crv: 'Ed25519' } };
    const token = `${b64uJson(header)}.${b64uJson({ sub: peerId, iat: 1 })}.AAAA`;
    expect(await codeOf(verifyPeerToken(token, peerId, CLOCK_MS))).toBe('ERR_REQUEST_SIGNATURE');
    const arrayX = { ...header, jwk: { ...header.jwk, x: [] } };
    const token2 = `${b64uJson(arrayX)}.${b64uJson({ sub: peerId, iat: 1 })}.AAAA`;
    expect(await codeOf(verifyPeerToken(token2, peerId, CLOCK_MS))).toBe('ERR_REQUEST_SIGNATURE');
  });

  it('a backup whose salt is "A": ERR_BACKUP_MALFORMED (was TypeError)', async () => {
    const { backup } = await samples();
    const file = JSON.parse(utf8.decode(backup)) as { kdf: { salt: string } };
    file.kdf.salt = 'A';
    const bytes = utf8.encode(JSON.stringify(file));
    expect(await codeOf(openBackup(bytes, PASSPHRASE))).toBe('ERR_BACKUP_MALFORMED');
  });

  it('a backup settings record without a value: ERR_BACKUP_MALFORMED (was TypeError)', () => {
    expect(codeOfSync(() => checkBackupRecord('settings', 'theme', undefined, 0))).toBe(
      'ERR_BACKUP_MALFORMED',
    );
  });

  it(`a backup nested deeper than ${BACKUP_MAX_DEPTH}: ERR_BACKUP_MALFORMED before it is parsed`, async () => {
    // 10,000 levels made the settings check's JSON.stringify overflow the stack (RangeError);
    // the depth is now capped on the text, so one level past the cap is enough to show it.
    const { backup } = await samples();
    const payload = await openBackup(backup, PASSPHRASE);
    let deep: unknown = 'x';
    for (let i = 0; i < BACKUP_MAX_DEPTH; i++) deep = [deep];
    payload.records.push({ collection: 'settings', key: 'deep', value: deep });
    const file = await sealBackup(payload, PASSPHRASE, {
      random: systemRandom,
      iterations: PBKDF2_MIN_ITERATIONS,
    });
    const store = new MemoryStore();
    expect(await codeOf(restoreBackup(store, file, PASSPHRASE, { now: CLOCK_MS }))).toBe(
      'ERR_BACKUP_MALFORMED',
    );
    expect(await store.listAll()).toEqual([]);
    // Text nested past the cap is refused unread, whatever it is.
    const text = utf8.encode(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(await codeOf(openBackup(text, PASSPHRASE))).toBe('ERR_BACKUP_MALFORMED');
  });

  it('a pairing link whose relay is not an http(s) origin: ERR_INVALID_INPUT (was passed on raw)', () => {
    for (const relay of [
      'javascript:alert(1)',
      'https://u:p@relay.example',
      'https://r.example/x',
    ]) {
      const text = `web+disco:pair?uid=K7QF-2M4D&relay=${encodeURIComponent(relay)}`;
      expect(codeOfSync(() => parsePairingCode(text))).toBe('ERR_INVALID_INPUT');
    }
    expect(parsePairingCode('web+disco:pair?uid=K7QF-2M4D&relay=https://r.example/').relay).toBe(
      'https://r.example',
    );
  });
});
