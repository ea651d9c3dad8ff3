import { describe, expect, it } from 'vitest';
import { makeDevice } from '../../testing/engine_harness.js';
import { codeOf } from '../../testing/code_of.js';
import { createClientIdentity, sealRequest, type Transport } from '../../sdk/index.js';
import { b64u, systemRandom } from '../encoding/index.js';
import { STATED_NAME_MAX, STATED_URI_MAX } from './stated_partner.js';

/**
 * Issue #11: a key B for a partner not registered with the device named it by its raw client
 * id. The asking company may state the partner's name and address (`audience.client_name`,
 * `client_uri`); the device keeps them as that company's word, checked as plain text, and a
 * registered partner's own name wins.
 */

async function seed() {
  const d = await makeDevice();
  const shop = await d.client('Shop');
  await shop.register();
  const { key_a } = await shop.requestKeyA(['address']);
  const courierIdentity = await createClientIdentity({ name: 'Courier', clock: d.clock });
  const thumbprint = b64u.encode(
    new Uint8Array(
      await crypto.subtle.digest(
        'SHA-256',
        Uint8Array.from(
          atob(courierIdentity.certificatePem.replace(/-----[^-]+-----|\s/g, '')),
          (c) => c.charCodeAt(0),
        ),
      ),
    ),
  );
  return {
    ...d,
    shop,
    keyA: key_a,
    courierIdentity,
    audience: { clientId: 'courier', thumbprint },
  };
}

/** The pending key B record the device showed the person for the last request. */
const lastKeyB = (d: Awaited<ReturnType<typeof seed>>) =>
  d.notified.filter((p) => p.kind === 'key_b').at(-1)?.audience;

describe('key B: the partner named by the asking company', () => {
  it('keeps the stated name and address of a partner that is not registered', async () => {
    const d = await seed();
    const b = await d.shop.requestKeyB(
      d.keyA,
      { ...d.audience, name: 'Demo Courier', url: 'https://courier.example/deliveries' },
      ['address'],
    );
    expect(b.audience).toBe('courier');
    expect(lastKeyB(d)).toEqual({
      ...d.audience,
      statedName: 'Demo Courier',
      statedUri: 'https://courier.example/deliveries',
    });
    // without them, as before: the id only
    await d.shop.requestKeyB(d.keyA, d.audience, ['address']);
    expect(lastKeyB(d)).toEqual(d.audience);
  });

  it('names a registered partner by the name it registered with, whatever the asker says', async () => {
    const d = await seed();
    const courier = await d.client('Courier', { trusted: true, identity: d.courierIdentity });
    await courier.register();
    await d.shop.requestKeyB(
      d.keyA,
      { ...d.audience, name: 'Your Bank', url: 'https://bank.example/' },
      ['address'],
    );
    expect(lastKeyB(d)).toEqual({ ...d.audience, clientName: 'Courier' });
  });

  it('refuses a stated name or address that is not plain text (ERR_REQUEST_MALFORMED), from any client', async () => {
    const d = await seed();
    const me = await createClientIdentity({ name: 'Shop', clock: d.clock });
    // the SDK checks first: a raw request stands for a client that does not use it
    const raw = await d.client('Raw Shop', { identity: me });
    await raw.register();
    const { key_a } = await raw.requestKeyA(['address']);
    const send = async (extra: Record<string, unknown>) => {
      const now = Math.floor(d.clock.now() / 1000);
      const claims = {
        iss: 'raw-shop',
        aud: d.device.deviceId,
        iat: now,
        exp: now + 60,
        jti: b64u.encode(systemRandom(16)),
        state: b64u.encode(systemRandom(8)),
        htu: '/disco/auth/authorize',
        client_secret: 'secret-of-Raw Shop-'.padEnd(40, 'x'),
        key_a,
        scope: 'address',
        audience: { client_id: 'courier', 'x5t#S256': d.audience.thumbprint, ...extra },
      };
      const r = await d.transport.post(
        '/disco/auth/authorize',
        await sealRequest(claims, me, d.device),
      );
      return (JSON.parse(r.body) as { code: string }).code;
    };
    const before = d.notified.length;
    for (const bad of [
      { client_name: '' },
      { client_name: 'x'.repeat(STATED_NAME_MAX + 1) },
      { client_name: ' Demo Courier' },
      { client_name: 'Demo\nCourier' },
      { client_name: 'Courier\u202Emoc.knab' },
      { client_name: 'Demo\u200BCourier' },
      { client_name: 42 },
      { client_name: { first: 'Demo' } },
      { client_uri: 'javascript:alert(1)' },
      { client_uri: 'http://courier.example/' },
      { client_uri: 'https://bank.example@evil.example/' },
      { client_uri: `https://courier.example/${'a'.repeat(STATED_URI_MAX)}` },
      { client_uri: 'courier.example' },
      { client_uri: ['https://courier.example/'] },
    ])
      expect([bad, await send(bad)]).toEqual([bad, 'ERR_REQUEST_MALFORMED']);
    // nothing reached the person
    expect(d.notified.length).toBe(before);
    // a good one, and a loopback http address (local demos), are asked
    d.person.answer = 'ignore';
    expect(await send({ client_name: 'Demo Courier', client_uri: 'http://127.0.0.1:8713/' })).toBe(
      'ERR_AUTHORIZATION_PENDING',
    );
    expect(lastKeyB(d)).toMatchObject({ statedName: 'Demo Courier' });
  });

  it('the SDK refuses a bad name or URL (ERR_INVALID_INPUT) before sending anything', async () => {
    const d = await seed();
    let posts = 0;
    const counting: Transport = {
      get: (path, signal) => d.transport.get(path, signal),
      post: (path, body, signal) => {
        posts++;
        return d.transport.post(path, body, signal);
      },
    };
    const shop = await d.client('Counted Shop', { transport: counting });
    const sent = posts;
    for (const bad of [
      { name: '' },
      { name: 'a'.repeat(101) },
      { name: 'Tab\there' },
      { url: 'ftp://courier.example/' },
      { url: 'https://user:pw@courier.example/' },
    ])
      expect(await codeOf(shop.requestKeyB(d.keyA, { ...d.audience, ...bad }, ['address']))).toBe(
        'ERR_INVALID_INPUT',
      );
    expect(posts).toBe(sent);
  });
});
