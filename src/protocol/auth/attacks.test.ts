import { describe, expect, it } from 'vitest';
import { decodeJwt, type JWSHeaderParameters } from 'jose';
import { makeDevice } from '../../testing/engine_harness.js';
import { codeOf } from '../../testing/code_of.js';
import { createClientIdentity, type ClientIdentity } from '../../sdk/index.js';
import { b64u, bytes, systemRandom, utf8 } from '../encoding/index.js';
import { seal } from '../jose/index.js';
import { exportBackup, restoreBackup } from '../backup/index.js';
import { PBKDF2_MIN_ITERATIONS } from '../identity/passphrase_key.js';
import type { WriteOp } from '../storage/store.js';
import {
  COLLECTIONS,
  decide,
  loadContext,
  revokeClient,
  type ActivityRecord,
  type ClientRecord,
  type GrantRecord,
  type PendingRecord,
} from './index.js';

/**
 * Issue #12 (points 1–8) and #11 (point 3): the engine attacked as an outsider, a removed company
 * and a restored copy would, with requests crafted by hand (any claims, any header) and by the
 * SDK, through the real `handleRequest` on a memory store.
 */
const PASS = 'engine test passphrase';
const REGISTER = '/disco/auth/register';
const AUTHORIZE = '/disco/auth/authorize';
const DATA = '/disco/data';
const secretOf = (name: string) => `secret-of-${name}-`.padEnd(40, 'x');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Device = Awaited<ReturnType<typeof makeDevice>>;

async function seed() {
  const d = await makeDevice();
  const shopId = await createClientIdentity({ name: 'Shop', clock: d.clock });
  const courierId = await createClientIdentity({ name: 'Courier', kind: 'RSA', clock: d.clock });
  const shop = await d.client('Shop', { identity: shopId });
  const courier = await d.client('Courier', { trusted: true, identity: courierId });
  const courierAudience = { clientId: 'courier', thumbprint: courierId.thumbprint };
  return { ...d, shop, shopId, courier, courierId, courierAudience };
}

/** Shop and courier registered, the shop holds key A for the address. */
async function ready() {
  const d = await seed();
  await d.shop.register();
  await d.courier.register();
  const { key_a: keyA } = await d.shop.requestKeyA(['address']);
  return { ...d, keyA };
}

function claims(d: Device, iss: string, htu: string, extra: Record<string, unknown> = {}) {
  const now = Math.floor(d.clock.now() / 1000);
  return {
    iss,
    aud: d.device.deviceId,
    iat: now,
    exp: now + 60,
    jti: b64u.encode(systemRandom(16)),
    htu,
    state: b64u.encode(systemRandom(16)),
    ...extra,
  };
}

/**
 * Signs any claims with any extra header and seals them to the device, as an attacker would.
 * Signed by hand (RFC 7515 §5.1): jose refuses to produce some of these headers, a hostile
 * client need not.
 */
async function craft(
  d: Device,
  me: ClientIdentity,
  payload: Record<string, unknown> | string,
  header: JWSHeaderParameters = {},
): Promise<string> {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const h = { alg: me.alg, typ: 'disco-request+jwt', ...header };
  const input = `${b64u.encode(utf8.encode(JSON.stringify(h)))}.${
    h.b64 === false ? text : b64u.encode(utf8.encode(text))
  }`;
  const params =
    me.alg === 'ES256' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSA-PSS', saltLength: 32 };
  const sig = new Uint8Array(
    await crypto.subtle.sign(params, me.signKey, bytes(utf8.encode(input))),
  );
  return seal(utf8.encode(`${input}.${b64u.encode(sig)}`), d.device.envelopeJwk, {
    contentType: 'JWT',
    kid: `${d.device.deviceId}#enc`,
  });
}

async function post(d: Device, path: string, body: string) {
  const r = await d.transport.post(path, body);
  const code =
    r.status === 200 ? 'OK' : ((JSON.parse(r.body) as { code: string }).code ?? 'NO CODE');
  return { status: r.status, body: r.body, code };
}

async function send(
  d: Device,
  me: ClientIdentity,
  path: string,
  c: Record<string, unknown>,
  header?: JWSHeaderParameters,
) {
  return post(d, path, await craft(d, me, c, header));
}

/** Requests waiting or decided but not collected (a collected answer is kept a minute: poll.ts). */
const uncollected = async (d: Device) =>
  (await d.store.list<PendingRecord>(COLLECTIONS.pending)).filter(
    ({ value }) => value.collectedAt === undefined,
  );

const authReqId = (r: { body: string }) =>
  (JSON.parse(r.body) as { auth_req_id: string }).auth_req_id;

describe('1. a poll is answered only on its own endpoint, to a client still registered', () => {
  it('a removed company cannot collect an approved data release through /disco/auth/register', async () => {
    const d = await ready();
    const { key_b } = await d.shop.requestKeyB(d.keyA, d.courierAudience, ['address']);
    d.person.answer = 'ignore';
    const asked = await send(
      d,
      d.courierId,
      DATA,
      claims(d, 'courier', DATA, { client_secret: secretOf('Courier'), key_b }),
    );
    expect(asked.code).toBe('ERR_AUTHORIZATION_PENDING');
    const id = authReqId(asked);
    await decide(id, { approve: true, by: 'person' }, await loadContext(d.deps));
    await revokeClient('courier', d.deps);

    const pollOn = (path: string, extra: Record<string, unknown> = {}) =>
      send(
        d,
        d.courierId,
        path,
        claims(d, 'courier', path, {
          client_secret: secretOf('Courier'),
          auth_req_id: id,
          ...extra,
        }),
      );
    expect((await pollOn(DATA)).code).toBe('ERR_CLIENT_UNKNOWN');
    expect((await pollOn(AUTHORIZE)).code).toBe('ERR_CLIENT_UNKNOWN');
    const viaRegister = await pollOn(REGISTER, { certificate: d.courierId.certificatePem });
    expect([viaRegister.status, viaRegister.code]).toEqual([404, 'ERR_CONSENT_UNKNOWN']);
    // removing the company dropped its waiting and decided requests with it
    expect(await uncollected(d)).toEqual([]);
  });

  it('a registered client polling its key A request on another endpoint is not answered', async () => {
    const d = await ready();
    d.person.answer = 'ignore';
    const asked = await send(
      d,
      d.shopId,
      AUTHORIZE,
      claims(d, 'shop', AUTHORIZE, { client_secret: secretOf('Shop'), scope: 'key_b name' }),
    );
    const id = authReqId(asked);
    await decide(id, { approve: true, by: 'person' }, await loadContext(d.deps));
    const pollOn = (path: string, extra: Record<string, unknown> = {}) =>
      send(
        d,
        d.shopId,
        path,
        claims(d, 'shop', path, { client_secret: secretOf('Shop'), auth_req_id: id, ...extra }),
      );
    expect((await pollOn(DATA)).code).toBe('ERR_CONSENT_UNKNOWN');
    expect((await pollOn(REGISTER, { certificate: d.shopId.certificatePem })).code).toBe(
      'ERR_CONSENT_UNKNOWN',
    );
    // a poll on the right endpoint without the secret is refused, and does not use up the answer
    expect((await pollOn(AUTHORIZE, { client_secret: 'wrong'.padEnd(40, 'x') })).code).toBe(
      'ERR_CLIENT_SECRET',
    );
    expect((await pollOn(AUTHORIZE)).code).toBe('OK');
  });
});

describe('2. an outsider learns nothing about which companies the person uses', () => {
  it('an unknown iss and a known iss with a stranger’s signature get byte-identical answers', async () => {
    const d = await ready();
    // an EC stranger, and an RSA one whose alg does not fit the shop's EC key at all
    for (const kind of ['P-256', 'RSA'] as const) {
      const stranger = await createClientIdentity({ name: 'Stranger', kind, clock: d.clock });
      for (const path of [AUTHORIZE, DATA]) {
        const extra = { client_secret: secretOf('Shop'), scope: 'key_b address', key_b: 'x' };
        const known = await send(d, stranger, path, claims(d, 'shop', path, extra));
        const unknown = await send(d, stranger, path, claims(d, 'nobody', path, extra));
        expect(known.code, path).toBe('ERR_CLIENT_UNKNOWN');
        expect([known.status, known.body], path).toEqual([unknown.status, unknown.body]);
        // also with the courier's certificate in the claims, and when polling
        const poll = {
          ...extra,
          auth_req_id: 'A'.repeat(22),
          certificate: d.shopId.certificatePem,
        };
        const knownPoll = await send(d, stranger, path, claims(d, 'shop', path, poll));
        expect([knownPoll.status, knownPoll.body], path).toEqual([unknown.status, unknown.body]);
      }
    }
  });

  it('registering a taken id goes pending like a new one; approving it changes nothing', async () => {
    const d = await ready();
    const stranger = await createClientIdentity({ name: 'Stranger', clock: d.clock });
    d.person.answer = 'ignore';
    const registerAs = (id: string) =>
      send(
        d,
        stranger,
        REGISTER,
        claims(d, id, REGISTER, {
          client_id: id,
          client_name: 'Totally The Shop',
          client_secret: 's'.repeat(40),
          is_trusted: true,
          certificate: stranger.certificatePem,
        }),
      );
    const taken = await registerAs('shop');
    const fresh = await registerAs('fresh-shop');
    expect([taken.status, taken.code]).toEqual([400, 'ERR_AUTHORIZATION_PENDING']);
    expect([fresh.status, fresh.code]).toEqual([taken.status, taken.code]);
    expect(Object.keys(JSON.parse(fresh.body) as object)).toEqual(
      Object.keys(JSON.parse(taken.body) as object),
    );
    // the person approves the impostor: refused, the shop keeps its certificate and secret
    const ctx = await loadContext(d.deps);
    const before = await d.store.get<ClientRecord>(COLLECTIONS.clients, 'shop');
    expect(await codeOf(decide(authReqId(taken), { approve: true, by: 'person' }, ctx))).toBe(
      'ERR_CLIENT_EXISTS',
    );
    expect(await d.store.get<ClientRecord>(COLLECTIONS.clients, 'shop')).toEqual(before);
    const poll = (secret: string) =>
      send(
        d,
        stranger,
        REGISTER,
        claims(d, 'shop', REGISTER, { client_secret: secret, auth_req_id: authReqId(taken) }),
      );
    expect((await poll('t'.repeat(40))).code).toBe('ERR_CLIENT_SECRET');
    const asAnother = await send(
      d,
      stranger,
      REGISTER,
      claims(d, 'fresh-shop', REGISTER, {
        client_secret: 's'.repeat(40),
        auth_req_id: authReqId(taken),
      }),
    );
    expect(asAnother.code).toBe('ERR_CONSENT_UNKNOWN');
    expect((await poll('s'.repeat(40))).code).toBe('ERR_ACCESS_DENIED');
    // the company itself (its own pinned certificate) is still told it is registered
    expect(await codeOf(d.shop.register())).toBe('ERR_CLIENT_EXISTS');
  });
});

describe('3. errors say nothing about what a grant covers', () => {
  it('ERR_SCOPE_EXCEEDS_GRANT names no field of the grant', async () => {
    const d = await seed();
    await d.shop.register();
    const { key_a } = await d.shop.requestKeyA(['address', 'name']);
    const r = await send(
      d,
      d.shopId,
      AUTHORIZE,
      claims(d, 'shop', AUTHORIZE, {
        client_secret: secretOf('Shop'),
        key_a,
        audience: { client_id: 'courier', 'x5t#S256': d.courierId.thumbprint },
        scope: 'address email',
      }),
    );
    expect(r.code).toBe('ERR_SCOPE_EXCEEDS_GRANT');
    const { error_description } = JSON.parse(r.body) as { error_description: string };
    expect(error_description).not.toMatch(/address|name|email/);
  });
});

describe('4. register is told by the routed endpoint, never by the path’s text', () => {
  it('register-shaped requests to /disco/auth/authorize?/register and /disco/data?x=/register: typed 4xx', async () => {
    const d = await ready();
    const stranger = await createClientIdentity({ name: 'Stranger', clock: d.clock });
    for (const path of [`${AUTHORIZE}?/register`, `${DATA}?x=/register`]) {
      for (const iss of ['stranger', 'shop']) {
        for (const htu of [path, path.split('?')[0]!]) {
          const r = await send(
            d,
            stranger,
            path,
            claims(d, iss, htu, {
              client_id: iss,
              client_name: 'Stranger',
              client_secret: 's'.repeat(40),
              is_trusted: true,
              certificate: stranger.certificatePem,
              scope: 'key_b address',
            }),
          );
          expect([r.status, r.code], `${path} ${iss} ${htu}`).toEqual([401, 'ERR_CLIENT_UNKNOWN']);
        }
      }
    }
    expect(await uncollected(d)).toEqual([]);
  });
});

describe('5. an "always allow" key B rule binds the audience’s certificate', () => {
  it('key B before the courier registers always asks; afterwards the rule holds only for its certificate', async () => {
    const d = await seed();
    await d.shop.register();
    const { key_a } = await d.shop.requestKeyA(['address']);
    d.person.answer = 'remember';
    await d.shop.requestKeyB(key_a, d.courierAudience, ['address']);
    d.person.answer = 'ignore';
    const attacker = await createClientIdentity({ name: 'Courier', clock: d.clock });
    const asks = (thumbprint: string) =>
      codeOf(
        d.shop.requestKeyB(key_a, { clientId: 'courier', thumbprint }, ['address'], {
          timeoutMs: 3000,
        }),
      );
    expect(await asks(attacker.thumbprint)).toBe('ERR_TIMEOUT');
    expect(await asks(d.courierId.thumbprint)).toBe('ERR_TIMEOUT');
    d.person.answer = 'approve';
    await d.courier.register();
    d.person.answer = 'ignore';
    const b = await d.shop.requestKeyB(key_a, d.courierAudience, ['address']);
    expect(decodeJwt(b.key_b).cnf).toEqual({ 'x5t#S256': d.courierId.thumbprint });
  });
});

describe('6. an approved answer is carried out once', () => {
  it('two concurrent polls on a slowed store: one answer, the same sealed bytes to both, no second grant', async () => {
    const d = await ready();
    d.person.answer = 'ignore';
    const asked = await send(
      d,
      d.shopId,
      AUTHORIZE,
      claims(d, 'shop', AUTHORIZE, { client_secret: secretOf('Shop'), scope: 'key_b name' }),
    );
    const id = authReqId(asked);
    await decide(id, { approve: true, by: 'person' }, await loadContext(d.deps));
    const write = d.store.write.bind(d.store);
    d.store.write = async (ops: readonly WriteOp[]) => {
      await sleep(20);
      return write(ops);
    };
    const poll = () =>
      send(
        d,
        d.shopId,
        AUTHORIZE,
        claims(d, 'shop', AUTHORIZE, { client_secret: secretOf('Shop'), auth_req_id: id }),
      );
    const answers = await Promise.all([poll(), poll()]);
    // At least once to its own client (an answer lost on the way is collected again), never a
    // second issue: both polls carry the one sealed answer the decision made.
    expect(answers.map((a) => a.code)).toEqual(['OK', 'OK']);
    expect(answers[0].body).toBe(answers[1].body);
    const grants = await d.store.list(COLLECTIONS.grants);
    expect(
      grants.filter(({ value }) => (value as { revokedAt?: number }).revokedAt === undefined),
    ).toHaveLength(1);
  });

  it('two concurrent approvals of one request: one grant, one activity record', async () => {
    const d = await ready();
    d.person.answer = 'ignore';
    const asked = await send(
      d,
      d.shopId,
      AUTHORIZE,
      claims(d, 'shop', AUTHORIZE, { client_secret: secretOf('Shop'), scope: 'key_b name' }),
    );
    const write = d.store.write.bind(d.store);
    d.store.write = async (ops: readonly WriteOp[]) => {
      await sleep(20);
      return write(ops);
    };
    const grants = (await d.store.list(COLLECTIONS.grants)).length;
    const ctx = await loadContext(d.deps);
    const codes = await Promise.all([
      codeOf(decide(authReqId(asked), { approve: true, by: 'person' }, ctx)),
      codeOf(decide(authReqId(asked), { approve: true, by: 'person' }, ctx)),
    ]);
    expect(codes.sort()).toEqual(['ERR_CONSENT_DECIDED', 'resolved']);
    expect(await d.store.list(COLLECTIONS.grants)).toHaveLength(grants + 1);
  });
});

describe('7. a restored backup never accepts a key B spent, or issued, before the backup', () => {
  it('backup → spend → restore → the same key B (and an unspent one) is refused; a new one works', async () => {
    const d = await ready();
    const spent = await d.shop.requestKeyB(d.keyA, d.courierAudience, ['address']);
    const unspent = await d.shop.requestKeyB(d.keyA, d.courierAudience, ['address']);
    const file = await exportBackup(d.store, PASS, {
      random: systemRandom,
      now: d.clock.now(),
      iterations: PBKDF2_MIN_ITERATIONS,
    });
    expect((await d.courier.exchangeKeyB(spent.key_b)).fields).toHaveProperty('address');
    d.clock.t += 1000;
    await restoreBackup(d.store, file, PASS, { now: d.clock.now() });
    expect(await codeOf(d.courier.exchangeKeyB(spent.key_b))).toBe('ERR_GRANT_REVOKED');
    expect(await codeOf(d.courier.exchangeKeyB(unspent.key_b))).toBe('ERR_GRANT_REVOKED');
    const fresh = await d.shop.requestKeyB(d.keyA, d.courierAudience, ['address']);
    expect((await d.courier.exchangeKeyB(fresh.key_b)).fields).toHaveProperty('address');
  });
});

describe('8. smaller holes', () => {
  it('state guards of clients "a" and "a:b" do not collide', async () => {
    const d = await makeDevice();
    const a = await createClientIdentity({ name: 'A', clock: d.clock });
    const ab = await createClientIdentity({ name: 'A:B', clock: d.clock });
    await (await d.client('A', { identity: a })).register();
    await (await d.client('A:B', { identity: ab })).register();
    d.person.answer = 'ignore';
    const keyA = (me: ClientIdentity, iss: string, name: string, state: string) =>
      send(
        d,
        me,
        AUTHORIZE,
        claims(d, iss, AUTHORIZE, { client_secret: secretOf(name), scope: 'key_b name', state }),
      );
    expect((await keyA(a, 'a', 'A', 'b:c')).code).toBe('ERR_AUTHORIZATION_PENDING');
    expect((await keyA(ab, 'a:b', 'A:B', 'c')).code).toBe('ERR_AUTHORIZATION_PENDING');
  });

  it('a 600-character iss: a typed 4xx on every endpoint, before any store access', async () => {
    const d = await ready();
    const stranger = await createClientIdentity({ name: 'Stranger', clock: d.clock });
    for (const path of [REGISTER, AUTHORIZE, DATA]) {
      const iss = 'i'.repeat(600);
      const r = await send(
        d,
        stranger,
        path,
        claims(d, iss, path, {
          client_id: iss,
          client_name: 'x',
          client_secret: 's'.repeat(40),
          is_trusted: false,
          certificate: stranger.certificatePem,
        }),
      );
      expect([r.status, r.code], path).toEqual([400, 'ERR_REQUEST_MALFORMED']);
    }
  });

  it('a request JWS with b64:false, or with any crit, is refused', async () => {
    const d = await ready();
    const c = claims(d, 'shop', AUTHORIZE, {
      client_secret: secretOf('Shop'),
      scope: 'key_b name',
    });
    // The payload segment is the base64url of the claims, signed as raw text (RFC 7797): read
    // either way it "means" the claims, which is exactly the ambiguity to refuse.
    const asText = b64u.encode(utf8.encode(JSON.stringify(c)));
    const unencoded = await post(
      d,
      AUTHORIZE,
      await craft(d, d.shopId, asText, { b64: false, crit: ['b64'] }),
    );
    expect(unencoded.code).toBe('ERR_REQUEST_MALFORMED');
    const crit = await send(
      d,
      d.shopId,
      AUTHORIZE,
      { ...c, jti: b64u.encode(systemRandom(16)) },
      {
        crit: ['exp'],
        exp: 1,
      },
    );
    expect(crit.code).toBe('ERR_REQUEST_MALFORMED');
    expect(await uncollected(d)).toEqual([]);
  });

  it('a replayed poll answers ERR_REQUEST_REPLAYED', async () => {
    const d = await ready();
    d.person.answer = 'ignore';
    const asked = await send(
      d,
      d.shopId,
      AUTHORIZE,
      claims(d, 'shop', AUTHORIZE, { client_secret: secretOf('Shop'), scope: 'key_b name' }),
    );
    d.clock.t += 1000;
    const body = await craft(
      d,
      d.shopId,
      claims(d, 'shop', AUTHORIZE, {
        client_secret: secretOf('Shop'),
        auth_req_id: authReqId(asked),
      }),
    );
    expect((await post(d, AUTHORIZE, body)).code).toBe('ERR_AUTHORIZATION_PENDING');
    const again = await post(d, AUTHORIZE, body);
    expect([again.status, again.code]).toEqual([400, 'ERR_REQUEST_REPLAYED']);
    // and once the answer was handed over (its record is gone)
    await decide(authReqId(asked), { approve: true, by: 'person' }, await loadContext(d.deps));
    d.clock.t += 1000;
    const taking = await craft(
      d,
      d.shopId,
      claims(d, 'shop', AUTHORIZE, {
        client_secret: secretOf('Shop'),
        auth_req_id: authReqId(asked),
      }),
    );
    expect((await post(d, AUTHORIZE, taking)).code).toBe('OK');
    expect((await post(d, AUTHORIZE, taking)).code).toBe('ERR_REQUEST_REPLAYED');
  });
});

describe('#11.3 decisions are one transaction', () => {
  function countWrites(d: Device) {
    const write = d.store.write.bind(d.store);
    const batches: WriteOp[][] = [];
    let failNext = false;
    d.store.write = (ops: readonly WriteOp[]) => {
      batches.push([...ops]);
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error('power cut'));
      }
      return write(ops);
    };
    return {
      batches,
      failNext: () => {
        failNext = true;
      },
    };
  }

  it('a request a rule approves is decided in one write: guards, grant, activity, no pending left', async () => {
    const d = await seed();
    await d.shop.register();
    d.person.answer = 'remember';
    await d.shop.requestKeyA(['address']);
    d.person.answer = 'ignore';
    const writes = countWrites(d);
    const grants = (await d.store.list<GrantRecord>(COLLECTIONS.grants)).length;
    const activity = (await d.store.list<ActivityRecord>(COLLECTIONS.activity)).length;
    await d.shop.requestKeyA(['address']);
    expect(writes.batches).toHaveLength(1);
    expect(await uncollected(d)).toEqual([]);
    expect(await d.store.list(COLLECTIONS.grants)).toHaveLength(grants + 1);
    expect(await d.store.list(COLLECTIONS.activity)).toHaveLength(activity + 1);
    // the one write fails (a crash): nothing of the request is left, and it can be sent again
    const before = await d.store.listAll();
    writes.failNext();
    expect(await codeOf(d.shop.requestKeyA(['address']))).toBe('ERR_INTERNAL');
    expect(await d.store.listAll()).toEqual(before);
    expect(decodeJwt((await d.shop.requestKeyA(['address'])).key_a).scope).toBe('address');
  });

  it('the person’s decision (grant, answer, activity, rule) is one write', async () => {
    const d = await seed();
    await d.shop.register();
    d.person.answer = 'ignore';
    const asked = await send(
      d,
      d.shopId,
      AUTHORIZE,
      claims(d, 'shop', AUTHORIZE, { client_secret: secretOf('Shop'), scope: 'key_b name' }),
    );
    const writes = countWrites(d);
    await decide(
      authReqId(asked),
      { approve: true, remember: true, by: 'person' },
      await loadContext(d.deps),
    );
    expect(writes.batches).toHaveLength(1);
    const collections = new Set(writes.batches[0]!.map((op) => op.collection));
    expect([...collections].sort()).toEqual([
      'active_grant',
      'activity',
      'grants',
      'pending',
      'rules',
    ]);
  });
});
