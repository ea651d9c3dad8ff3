import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../storage/memory_store.js';
import { setupDevice } from '../identity/setup_device.js';
import { PBKDF2_MIN_ITERATIONS } from '../identity/passphrase_key.js';
import { systemRandom } from '../encoding/index.js';
import { isDiscoError } from '../errors/index.js';
import { makePeerToken, verifyPeerToken } from './peer_token.js';
import { peerIdOf, PEER_ID_PATTERN } from './peer_id.js';

const now = Date.UTC(2026, 10, 23);
const device = () =>
  setupDevice(new MemoryStore(), {
    passphrase: 'peer token passphrase',
    clock: { now: () => now },
    random: systemRandom,
    iterations: PBKDF2_MIN_ITERATIONS,
  });
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (isDiscoError(e) ? e.code : String(e)),
  );

describe('peer id and token', () => {
  it('derives a stable PeerJS id from the device id', async () => {
    const { identity } = await device();
    expect(peerIdOf(identity.deviceId)).toMatch(PEER_ID_PATTERN);
    expect(peerIdOf(identity.deviceId)).toBe(peerIdOf(identity.deviceId));
  });

  it('accepts the device’s own token, refuses another key, another id, a stale or forged token', async () => {
    const a = await device();
    const b = await device();
    const idA = peerIdOf(a.identity.deviceId);
    const token = await makePeerToken(
      a.keys.signing,
      a.identity.signingJwk,
      a.identity.deviceId,
      now,
    );
    expect(await code(verifyPeerToken(token, idA, now))).toBe('ok');
    // b signs a token with its own key, claiming a's id
    const thief = await makePeerToken(
      b.keys.signing,
      b.identity.signingJwk,
      a.identity.deviceId,
      now,
    );
    expect(await code(verifyPeerToken(thief, idA, now))).toBe('ERR_REQUEST_SIGNATURE');
    expect(await code(verifyPeerToken(token, peerIdOf(b.identity.deviceId), now))).toBe(
      'ERR_REQUEST_SIGNATURE',
    );
    expect(await code(verifyPeerToken(token, idA, now + 11 * 60_000))).toBe('ERR_REQUEST_EXPIRED');
    // Tamper with R (the signature's first bytes): the last characters encode the top bits of
    // S, which are nearly always zero, so overwriting them with 'AA' left 1 in 16 tokens valid.
    const [h, p, s] = token.split('.');
    const forged = `${s![0] === 'A' ? 'B' : 'A'}${s!.slice(1)}`;
    expect(await code(verifyPeerToken(`${h}.${p}.${forged}`, idA, now))).toBe(
      'ERR_REQUEST_SIGNATURE',
    );
    expect(await code(verifyPeerToken('garbage', idA, now))).toBe('ERR_REQUEST_SIGNATURE');
  });
});
