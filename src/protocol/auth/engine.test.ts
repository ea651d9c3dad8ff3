import { describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { makeDevice, T0 } from '../../testing/engine_harness.js';
import {
  COLLECTIONS,
  type ActivityRecord,
  type ClientRecord,
  type GrantRecord,
  revokeClient,
  revokeGrant,
} from './index.js';
import { createClientIdentity, sealRequest } from '../../sdk/index.js';
import { b64u, systemRandom } from '../encoding/index.js';
import { seal } from '../jose/index.js';
import { codeOf } from '../../testing/code_of.js';

async function seed() {
  const d = await makeDevice();
  const shop = await d.client('Shop');
  const courierIdentity = await createClientIdentity({
    name: 'Courier',
    kind: 'RSA',
    clock: d.clock,
  });
  const courier = await d.client('Courier', { trusted: true, identity: courierIdentity });
  const thumbprint = b64u.encode(
    new Uint8Array(await crypto.subtle.digest('SHA-256', derOf(courierIdentity.certificatePem))),
  );
  return { ...d, shop, courier, courierAudience: { clientId: 'courier', thumbprint } };
}

function derOf(pem: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(pem.replace(/-----[^-]+-----|\s/g, '')), (c) => c.charCodeAt(0));
}

describe('the seed scenario, end to end through the engine', () => {
  it('shop registers, gets key A, key B for the courier; courier registers and gets exactly the address', async () => {
    const d = await seed();
    expect(await d.shop.register()).toMatchObject({ status: 'registered', client_id: 'shop' });
    const a = await d.shop.requestKeyA(['address']);
    const keyA = decodeJwt(a.key_a);
    expect(keyA).toMatchObject({
      iss: d.device.deviceId,
      sub: 'shop',
      aud: d.device.deviceId,
      scope: 'address',
    });
    expect(keyA.exp! - keyA.iat!).toBe(30 * 24 * 3600);

    const b = await d.shop.requestKeyB(a.key_a, d.courierAudience, ['address']);
    const keyB = decodeJwt(b.key_b);
    expect(keyB).toMatchObject({
      sub: 'shop',
      aud: 'courier',
      scope: 'address',
      cnf: { 'x5t#S256': d.courierAudience.thumbprint },
    });
    expect(keyB.exp! - keyB.iat!).toBe(300);

    await d.courier.register();
    const released = await d.courier.exchangeKeyB(b.key_b);
    expect(released.fields).toEqual({
      address: { street_address: '12 St James Sq', locality: 'London', country: 'UK' },
    });

    // every step asked the person, and each was logged
    expect(d.person.decided.map((p) => p.kind)).toEqual([
      'register',
      'key_a',
      'key_b',
      'register',
      'data',
    ]);
    const activity = (await d.store.list<ActivityRecord>(COLLECTIONS.activity)).map((r) => r.value);
    const release = activity.find((x) => x.kind === 'data')!;
    expect(release).toMatchObject({
      clientId: 'courier',
      via: 'shop',
      fields: ['address'],
      outcome: 'approved',
    });
    expect(release.grantId).toBe(keyA.jti);
    // client secrets are stored hashed
    const stored = await d.store.get<ClientRecord>(COLLECTIONS.clients, 'shop');
    expect(JSON.stringify(stored)).not.toContain('secret-of-Shop');
    // the person was notified of each pending request
    expect(d.notified).toHaveLength(5);
  });

  it('works with RSA keys on both sides of the envelope (RSA-OAEP-256 answers)', async () => {
    const d = await makeDevice();
    const rsa = await d.client('Rsa Shop', { kind: 'RSA' });
    expect(await rsa.register()).toMatchObject({ status: 'registered' });
  });
});

describe('consent', () => {
  it('refused → access_denied, and nothing is issued', async () => {
    const d = await seed();
    await d.shop.register();
    d.person.answer = 'deny';
    expect(await codeOf(d.shop.requestKeyA(['address']))).toBe('ERR_ACCESS_DENIED');
    expect(await d.store.list<GrantRecord>(COLLECTIONS.grants)).toEqual([]);
  });

  it('unanswered → the client times out; the request expires on the device', async () => {
    const d = await seed();
    d.person.answer = 'ignore';
    expect(await codeOf(d.shop.register(undefined, { timeoutMs: 5000 }))).toBe('ERR_TIMEOUT');
    expect(await codeOf(d.shop.register())).toBe('ERR_CONSENT_EXPIRED');
    expect(await d.store.list(COLLECTIONS.clients)).toEqual([]);
  });

  it('"always allow" makes a rule: the next matching request is answered at once', async () => {
    const d = await seed();
    await d.shop.register();
    d.person.answer = 'remember';
    await d.shop.requestKeyA(['address']);
    d.person.answer = 'ignore';
    const again = await d.shop.requestKeyA(['address']);
    expect(decodeJwt(again.key_a).scope).toBe('address');
    expect(await codeOf(d.shop.requestKeyA(['address', 'email'], { timeoutMs: 3000 }))).toBe(
      'ERR_TIMEOUT',
    );
  });

  it('cancellation stops the wait', async () => {
    const d = await seed();
    d.person.answer = 'ignore';
    const ctl = new AbortController();
    ctl.abort();
    expect(await codeOf(d.shop.register(undefined, { signal: ctl.signal }))).toBe('ERR_ABORTED');
  });
});

describe('attacks are refused with a clear code', () => {
  async function ready() {
    const d = await seed();
    await d.shop.register();
    await d.courier.register();
    const a = await d.shop.requestKeyA(['address']);
    return { ...d, keyA: a.key_a };
  }

  it('a replayed key B', async () => {
    const d = await ready();
    const b = await d.shop.requestKeyB(d.keyA, d.courierAudience, ['address']);
    await d.courier.exchangeKeyB(b.key_b);
    expect(await codeOf(d.courier.exchangeKeyB(b.key_b))).toBe('ERR_KEY_B_USED');
  });

  it('an expired key B', async () => {
    const d = await ready();
    const b = await d.shop.requestKeyB(d.keyA, d.courierAudience, ['address']);
    d.clock.t += 301_000 + 60_000;
    expect(await codeOf(d.courier.exchangeKeyB(b.key_b))).toBe('ERR_JWT_EXPIRED');
  });

  it('key B presented by a client it is not for (wrong audience)', async () => {
    const d = await ready();
    const other = await d.client('Other Courier', { trusted: true });
    await other.register();
    const b = await d.shop.requestKeyB(d.keyA, d.courierAudience, ['address']);
    expect(await codeOf(other.exchangeKeyB(b.key_b))).toBe('ERR_AUDIENCE_MISMATCH');
  });

  it('key B for a certificate that is not the registered courier’s', async () => {
    const d = await ready();
    expect(
      await codeOf(
        d.shop.requestKeyB(d.keyA, { clientId: 'courier', thumbprint: 'A'.repeat(43) }, [
          'address',
        ]),
      ),
    ).toBe('ERR_CNF_MISMATCH');
  });

  it('key B asking for more than key A allows', async () => {
    const d = await ready();
    expect(await codeOf(d.shop.requestKeyB(d.keyA, d.courierAudience, ['address', 'email']))).toBe(
      'ERR_SCOPE_EXCEEDS_GRANT',
    );
  });

  it('an untrusted client cannot exchange key B', async () => {
    const d = await ready();
    const b = await d.shop.requestKeyB(d.keyA, d.courierAudience, ['address']);
    expect(await codeOf(d.shop.exchangeKeyB(b.key_b))).toBe('ERR_CLIENT_NOT_TRUSTED');
  });

  it('key A of another client, and a key B used as key A', async () => {
    const d = await ready();
    const b = await d.shop.requestKeyB(d.keyA, d.courierAudience, ['address']);
    expect(await codeOf(d.courier.requestKeyB(d.keyA, d.courierAudience, ['address']))).toBe(
      'ERR_AUDIENCE_MISMATCH',
    );
    expect(await codeOf(d.shop.requestKeyB(b.key_b, d.courierAudience, ['address']))).toBe(
      'ERR_JWT_CLAIM_INVALID',
    );
  });

  it('a revoked grant stops key A and key B; a revoked client stops everything', async () => {
    const d = await ready();
    const b = await d.shop.requestKeyB(d.keyA, d.courierAudience, ['address']);
    await revokeGrant(decodeJwt(d.keyA).jti!, d.deps);
    expect(await codeOf(d.shop.requestKeyB(d.keyA, d.courierAudience, ['address']))).toBe(
      'ERR_GRANT_REVOKED',
    );
    expect(await codeOf(d.courier.exchangeKeyB(b.key_b))).toBe('ERR_GRANT_REVOKED');
    await revokeClient('shop', d.deps);
    expect(await codeOf(d.shop.requestKeyA(['address']))).toBe('ERR_CLIENT_UNKNOWN');
  });

  it('a tampered envelope, and an envelope for another device', async () => {
    const d = await ready();
    const me = await createClientIdentity({ name: 'x', clock: d.clock });
    const claims = {
      iss: 'shop',
      aud: d.device.deviceId,
      iat: T0 / 1000,
      exp: T0 / 1000 + 60,
      jti: 'j'.repeat(20),
      htu: '/disco/auth/authorize',
      state: 's1',
    };
    const jwe = await sealRequest(claims, me, d.device);
    const parts = jwe.split('.');
    parts[3] = parts[3]!.slice(0, 5) + (parts[3]![5] === 'A' ? 'B' : 'A') + parts[3]!.slice(6);
    const r1 = await d.transport.post('/disco/auth/authorize', parts.join('.'));
    expect([r1.status, JSON.parse(r1.body).code]).toEqual([400, 'ERR_JWE_DECRYPTION_FAILED']);
    const elsewhere = await makeDevice();
    const r2 = await d.transport.post(
      '/disco/auth/authorize',
      await sealRequest(claims, me, elsewhere.device),
    );
    expect(JSON.parse(r2.body).code).toBe('ERR_JWE_DECRYPTION_FAILED');
  });

  it('a request signed by a key other than the registered certificate', async () => {
    const d = await ready();
    const impostor = await createClientIdentity({ name: 'Shop', clock: d.clock });
    const now = Math.floor(d.clock.now() / 1000);
    const claims = {
      iss: 'shop',
      aud: d.device.deviceId,
      iat: now,
      exp: now + 60,
      jti: b64u.encode(systemRandom(16)),
      htu: '/disco/auth/authorize',
      state: 'x',
      client_secret: 'secret-of-Shop-'.padEnd(40, 'x'),
      scope: 'key_b address',
    };
    const r = await d.transport.post(
      '/disco/auth/authorize',
      await sealRequest(claims, impostor, d.device),
    );
    // The same answer as for an unknown iss: an outsider cannot tell who is registered (#12, 2).
    expect([r.status, JSON.parse(r.body).code]).toEqual([401, 'ERR_CLIENT_UNKNOWN']);
  });

  it('replayed, stale, misdirected, wrongly-authenticated and malformed requests', async () => {
    const d = await makeDevice();
    const me = await createClientIdentity({ name: 'Shop', clock: d.clock });
    const shop = await d.client('Shop', { identity: me });
    await shop.register();
    const now = Math.floor(d.clock.now() / 1000);
    const base = {
      iss: 'shop',
      aud: d.device.deviceId,
      iat: now,
      exp: now + 60,
      htu: '/disco/auth/authorize',
      client_secret: 'secret-of-Shop-'.padEnd(40, 'x'),
      scope: 'key_b address',
    };
    const send = async (claims: Record<string, unknown>, path = '/disco/auth/authorize') => {
      const r = await d.transport.post(
        path,
        await sealRequest(
          { jti: b64u.encode(systemRandom(16)), state: b64u.encode(systemRandom(8)), ...claims },
          me,
          d.device,
        ),
      );
      return JSON.parse(r.body).code as string;
    };
    // the same sealed request twice
    const once = await sealRequest(
      { ...base, jti: 'replay-'.padEnd(20, 'j'), state: 'st-1' },
      me,
      d.device,
    );
    const first = JSON.parse((await d.transport.post('/disco/auth/authorize', once)).body) as {
      code: string;
      auth_req_id: string;
    };
    expect(first.code).toBe('ERR_AUTHORIZATION_PENDING');
    // The very same request again (its answer was lost on the way back) gets the same answer and
    // files nothing new: one card for the person (issue #11, a device that blinks).
    const filedBefore = (await d.store.list(COLLECTIONS.pending)).length;
    const again = JSON.parse((await d.transport.post('/disco/auth/authorize', once)).body) as {
      code: string;
      auth_req_id: string;
    };
    expect([again.code, again.auth_req_id]).toEqual([
      'ERR_AUTHORIZATION_PENDING',
      first.auth_req_id,
    ]);
    expect((await d.store.list(COLLECTIONS.pending)).length).toBe(filedBefore);
    // once what it filed is gone (decided and collected), the same bytes are a replay
    await d.store.write([
      { op: 'delete', collection: COLLECTIONS.pending, key: first.auth_req_id },
    ]);
    expect(JSON.parse((await d.transport.post('/disco/auth/authorize', once)).body).code).toBe(
      'ERR_REQUEST_REPLAYED',
    );
    // a new request reusing a state
    expect(await send({ ...base, state: 'st-1' })).toBe('ERR_REQUEST_REPLAYED');
    expect(await send({ ...base, iat: now - 400, exp: now - 100 })).toBe('ERR_REQUEST_EXPIRED');
    expect(await send({ ...base, iat: now + 600, exp: now + 660 })).toBe('ERR_REQUEST_EXPIRED');
    expect(await send({ ...base, exp: now + 3600 })).toBe('ERR_REQUEST_EXPIRED');
    expect(await send({ ...base, htu: '/disco/data' })).toBe('ERR_REQUEST_WRONG_AUDIENCE');
    expect(await send({ ...base, aud: 'another-device' })).toBe('ERR_REQUEST_WRONG_AUDIENCE');
    expect(await send({ ...base, client_secret: 'wrong'.padEnd(40, 'x') })).toBe(
      'ERR_CLIENT_SECRET',
    );
    expect(await send({ ...base, iss: 'nobody' })).toBe('ERR_CLIENT_UNKNOWN');
    expect(await send({ ...base, scope: 'address' })).toBe('ERR_SCOPE_INVALID');
    expect(await send({ ...base, scope: 'key_b password' })).toBe('ERR_SCOPE_INVALID');
    expect(await send({ ...base, scope: 'Key B!' })).toBe('ERR_SCOPE_INVALID');
    expect(await send({ ...base, jti: 'short' })).toBe('ERR_REQUEST_MALFORMED');
    // garbage, an empty body, an unsigned (alg none) request inside a valid envelope
    const post = async (body: string) =>
      JSON.parse((await d.transport.post('/disco/auth/authorize', body)).body).code as string;
    expect(await post('not a jwe')).toBe('ERR_JWE_MALFORMED');
    expect(await post('')).toBe('ERR_REQUEST_MALFORMED');
    const enc = (o: object) => b64u.encode(new TextEncoder().encode(JSON.stringify(o)));
    const unsigned = `${enc({ alg: 'none', typ: 'disco-request+jwt' })}.${enc({ ...base, jti: 'n'.repeat(20), state: 'n' })}.`;
    expect(await post(await seal(new TextEncoder().encode(unsigned), d.device.envelopeJwk))).toBe(
      'ERR_REQUEST_SIGNATURE',
    );
    // nothing was granted by any of it
    expect(await d.store.list(COLLECTIONS.grants)).toEqual([]);
  });
});

describe('backup carries the engine state', () => {
  it('clients, grants, rules and activity survive export → restore; the restored device keeps serving them', async () => {
    const { exportBackup, restoreBackup } = await import('../backup/index.js');
    const { MemoryStore } = await import('../storage/memory_store.js');
    const { PBKDF2_MIN_ITERATIONS } = await import('../identity/passphrase_key.js');
    const d = await seed();
    await d.shop.register();
    d.person.answer = 'remember';
    const a = await d.shop.requestKeyA(['address']);
    const file = await exportBackup(d.store, 'engine test passphrase', {
      random: systemRandom,
      now: d.clock.now(),
      iterations: PBKDF2_MIN_ITERATIONS,
    });
    const fresh = new MemoryStore();
    await restoreBackup(fresh, file, 'engine test passphrase', { now: d.clock.now() });
    for (const c of [
      COLLECTIONS.clients,
      COLLECTIONS.grants,
      COLLECTIONS.rules,
      COLLECTIONS.activity,
    ]) {
      expect((await fresh.list(c)).length, c).toBeGreaterThan(0);
      expect(await fresh.list(c)).toEqual(await d.store.list(c));
    }
    expect(await fresh.list(COLLECTIONS.pending)).toEqual([]);
    expect(await fresh.list(COLLECTIONS.seen)).toEqual([]);
    // the old device's key A still works against the restored store (same keys, same grant)
    const restoredGrant = await fresh.get<GrantRecord>(COLLECTIONS.grants, decodeJwt(a.key_a).jti!);
    expect(restoredGrant?.clientId).toBe('shop');
    // a damaged engine record refuses the whole file
    const { openBackup, sealBackup } = await import('../backup/index.js');
    const payload = await openBackup(file, 'engine test passphrase');
    const grant = payload.records.find((r) => r.collection === COLLECTIONS.grants)!;
    (grant.value as { scope: unknown }).scope = 'address';
    const bad = await sealBackup(payload, 'engine test passphrase', {
      random: systemRandom,
      iterations: PBKDF2_MIN_ITERATIONS,
    });
    const target = new MemoryStore();
    expect(
      await codeOf(restoreBackup(target, bad, 'engine test passphrase', { now: d.clock.now() })),
    ).toBe('ERR_BACKUP_MALFORMED');
    expect(await target.listAll()).toEqual([]);
  });
});

describe('pairing challenge', () => {
  it('a company paired through the relay must prove it decrypted the challenge', async () => {
    const d = await makeDevice();
    const me = await createClientIdentity({ name: 'Paired Shop', clock: d.clock });
    const der = Uint8Array.from(atob(me.certificatePem.replace(/-----[^-]+-----|\s/g, '')), (c) =>
      c.charCodeAt(0),
    );
    const thumbprint = b64u.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', der)));
    await d.store.write([
      {
        op: 'put',
        collection: 'pairings',
        key: thumbprint,
        value: {
          thumbprint,
          uid: 'K7QF-2M4D',
          challenge: 'the-real-challenge',
          relay: 'http://relay',
          pairedAt: T0,
          confirmedOutOfBand: true,
        },
      },
    ]);
    const shop = await d.client('Paired Shop', { identity: me });
    expect(await codeOf(shop.register('a-guessed-challenge'))).toBe('ERR_REQUEST_MALFORMED');
    expect(await codeOf(shop.register())).toBe('ERR_REQUEST_MALFORMED');
    expect(await shop.register('the-real-challenge')).toMatchObject({ status: 'registered' });
    expect(d.person.decided.at(-1)?.pairing).toEqual({
      uid: 'K7QF-2M4D',
      confirmedOutOfBand: true,
    });
    expect(
      (await d.store.get<ClientRecord>(COLLECTIONS.clients, 'paired-shop'))?.challengeProved,
    ).toBe(true);
  });
});
