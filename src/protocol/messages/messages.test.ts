import { describe, expect, it } from 'vitest';
import { codeOf } from '../../testing/code_of.js';
import { createClientIdentity } from '../../sdk/client_identity.js';
import { utf8, systemRandom } from '../encoding/index.js';
import { seal } from '../jose/index.js';
import { loadDevice, setupDevice } from '../identity/setup_device.js';
import { PBKDF2_MIN_ITERATIONS } from '../identity/passphrase_key.js';
import { MemoryStore } from '../storage/memory_store.js';
import { createCertificateCache, importCertificateKey } from '../x509/index.js';
import {
  openClientRequest,
  requestClaims,
  sealClientRequest,
  verifyClientRequest,
} from './client_request.js';
import { openResponse, sealResponse } from './device_response.js';

// Each wire message is built by one end and read by the other: here both ends meet.
const T = Date.UTC(2026, 10, 23, 12, 0, 0);
const clock = { now: () => T };

async function ends() {
  const store = new MemoryStore();
  await setupDevice(store, {
    passphrase: 'messages test passphrase',
    clock,
    random: systemRandom,
    iterations: PBKDF2_MIN_ITERATIONS,
  });
  const device = (await loadDevice(store))!;
  const info = {
    deviceId: device.identity.deviceId,
    signingJwk: device.identity.signingJwk,
    envelopeJwk: device.identity.envelopeJwk,
  };
  const me = await createClientIdentity({ name: 'shop', clock });
  const cert = await createCertificateCache().parse(me.certificatePem);
  return { device, info, me, cert };
}

describe('client request: sealed by the SDK, read by the device', () => {
  it('round-trips the claims, and the signature verifies only with the signer key', async () => {
    const { device, info, me } = await ends();
    const claims = { iss: 'shop', jti: 'x'.repeat(16), nested: { a: [1, 2] } };
    const body = utf8.encode(
      await sealClientRequest(claims, { alg: me.alg, key: me.signKey }, info),
    );
    const opened = await openClientRequest(body, device.keys.envelope);
    expect(opened.alg).toBe(me.alg);
    expect(opened.unverified).toEqual(claims);
    const mine = await publicOf(me.certificatePem);
    expect(requestClaims(await verifyClientRequest(opened, mine))).toEqual(claims);
    const other = await createClientIdentity({ name: 'other', clock });
    expect(await codeOf(verifyClientRequest(opened, await publicOf(other.certificatePem)))).toBe(
      'ERR_REQUEST_SIGNATURE',
    );
  });

  it('refuses an empty body, a JWE of something else, and another typ', async () => {
    const { device, info } = await ends();
    expect(await codeOf(openClientRequest(undefined, device.keys.envelope))).toBe(
      'ERR_REQUEST_MALFORMED',
    );
    const notJws = await seal(utf8.encode('hello'), info.envelopeJwk, { contentType: 'JWT' });
    expect(await codeOf(openClientRequest(utf8.encode(notJws), device.keys.envelope))).toBe(
      'ERR_REQUEST_MALFORMED',
    );
    const h = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, '');
    const wrongTyp = `${h({ alg: 'ES256', typ: 'JWT' })}.${h({ iss: 'a' })}.c2ln`;
    const sealed = await seal(utf8.encode(wrongTyp), info.envelopeJwk, { contentType: 'JWT' });
    expect(await codeOf(openClientRequest(utf8.encode(sealed), device.keys.envelope))).toBe(
      'ERR_REQUEST_MALFORMED',
    );
  });
});

describe('device response: sealed by the device, opened by the SDK', () => {
  it('round-trips the result with in_response_to, for this client only', async () => {
    const { device, info, me, cert } = await ends();
    const jwe = await sealResponse(
      { status: 'registered' },
      { clientId: 'shop', cert, inResponseTo: 'j'.repeat(16) },
      { deviceId: info.deviceId, signing: device.keys.signing, now: T },
    );
    const payload = await openResponse(jwe, me.decryptKey, info, { clientId: 'shop', now: T });
    expect(payload).toMatchObject({
      status: 'registered',
      in_response_to: 'j'.repeat(16),
      iss: info.deviceId,
      aud: 'shop',
    });
    expect(
      await codeOf(openResponse(jwe, me.decryptKey, info, { clientId: 'other', now: T })),
    ).toBe('ERR_RESPONSE_UNTRUSTED');
  });

  it('refuses an answer signed by another device', async () => {
    const { info, me, cert } = await ends();
    const stranger = await ends();
    const jwe = await sealResponse(
      { ok: true },
      { clientId: 'shop', cert, inResponseTo: 'j'.repeat(16) },
      { deviceId: info.deviceId, signing: stranger.device.keys.signing, now: T },
    );
    expect(await codeOf(openResponse(jwe, me.decryptKey, info, { clientId: 'shop', now: T }))).toBe(
      'ERR_RESPONSE_UNTRUSTED',
    );
  });
});

/** The certificate's public key, for verifying. */
async function publicOf(pem: string): Promise<CryptoKey> {
  return importCertificateKey(await createCertificateCache().parse(pem), 'verify');
}
