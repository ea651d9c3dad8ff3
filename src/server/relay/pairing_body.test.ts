import { calculateJwkThumbprint, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { isDiscoError } from '../../protocol/errors/index.js';
import { peerIdOf } from '../../protocol/tunnel/index.js';
import { readPairingBody } from './pairing_body.js';

// The optional device-certificate members of `POST /uid` (docs/wire/relay.md): the relay only
// bounds their shape and passes them to the RP, which verifies them.
const RELAY = 'http://127.0.0.1:8711';
let base: Record<string, unknown>;
const CHAIN = ['MIIBAAAA', 'MIIBBBBB'];
const SIGNATURE = 'A'.repeat(86);

async function codeOf(body: unknown): Promise<string> {
  try {
    await readPairingBody(body, RELAY);
    return 'none';
  } catch (err) {
    return isDiscoError(err) ? err.code : String(err);
  }
}

beforeAll(async () => {
  const keys = await crypto.subtle.generateKey('Ed25519', true, ['sign']);
  const jwk = (await crypto.subtle.exportKey('jwk', keys.publicKey)) as JWK;
  const publicKey = { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
  const deviceId = await calculateJwkThumbprint(publicKey as JWK, 'sha256');
  const peerId = peerIdOf(deviceId);
  base = {
    uid: '7K3M-Q9XD',
    device_id: deviceId,
    peer_id: peerId,
    public_key: publicKey,
    proxy_url: `${RELAY}/p/${peerId}/`,
  };
});

describe('POST /uid body: device certificate members', () => {
  it('passes chain and signature through to the RP, and leaves them out when absent', async () => {
    const { device } = await readPairingBody(
      { ...base, certificate_chain: CHAIN, certificate_signature: SIGNATURE },
      RELAY,
    );
    expect(device.certificate_chain).toEqual(CHAIN);
    expect(device.certificate_signature).toBe(SIGNATURE);
    const bare = await readPairingBody(base, RELAY);
    expect('certificate_chain' in bare.device).toBe(false);
    expect('certificate_signature' in bare.device).toBe(false);
  });

  it('refuses one without the other, and shapes out of bounds', async () => {
    const bad = [
      { certificate_chain: CHAIN },
      { certificate_signature: SIGNATURE },
      { certificate_chain: [], certificate_signature: SIGNATURE },
      { certificate_chain: Array(5).fill('MIIB'), certificate_signature: SIGNATURE },
      { certificate_chain: ['A'.repeat(4100)], certificate_signature: SIGNATURE },
      { certificate_chain: ['not base64!'], certificate_signature: SIGNATURE },
      { certificate_chain: [42], certificate_signature: SIGNATURE },
      { certificate_chain: 'MIIB', certificate_signature: SIGNATURE },
      { certificate_chain: CHAIN, certificate_signature: 'A'.repeat(85) },
      { certificate_chain: CHAIN, certificate_signature: `${'A'.repeat(85)}=` },
      { certificate_chain: CHAIN, certificate_signature: null },
    ];
    for (const extra of bad) expect(await codeOf({ ...base, ...extra })).toBe('ERR_INVALID_INPUT');
  });
});
