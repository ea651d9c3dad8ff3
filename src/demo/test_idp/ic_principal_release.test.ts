import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDevice, T0 } from '../../testing/engine_harness.js';
import { codeOf } from '../../testing/code_of.js';
import { b64u } from '../../protocol/encoding/index.js';
import { IDENTITY, type IdentityRecord } from '../../protocol/identity/identity.js';
import { DelegationChain, derOf } from '../../protocol/ic/index.js';
import { II_SESSION } from '../../protocol/ic/principal_proof/index.js';
import { createClientIdentity, verifyPrincipalProof } from '../../sdk/index.js';
import { startTestIdp } from './test_idp.js';

/**
 * `ic_principal` end to end (issue #9, docs/ic.md): devices signed in to the test identity
 * provider, a company asking through the real SDK and engine, the proof checked by the SDK.
 */

let idp: { url: string; stop: () => Promise<void> };
let clockNow = T0;
beforeAll(async () => {
  idp = await startTestIdp({ secret: new Uint8Array(32).fill(7), clock: { now: () => clockNow } });
});
afterAll(() => idp.stop());

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Signs the device in as the app does: its identity key is the session key. */
async function signIn(d: Awaited<ReturnType<typeof makeDevice>>, origin = 'https://device.test') {
  const identity = (await d.store.get<IdentityRecord>(IDENTITY.collection, IDENTITY.key))!;
  const sessionKey = derOf('ed25519', b64u.decode(identity.signingJwk.x!));
  clockNow = d.clock.now();
  const res = await fetch(`${idp.url}/api/delegation`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      sessionPublicKey: hex(sessionKey),
      origin,
      maxTimeToLive: '3600000000000',
    }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as {
    userPublicKey: string;
    delegations: Array<{ delegation: { pubkey: string; expiration: string }; signature: string }>;
  };
  const chain = DelegationChain.fromJSON({
    publicKey: body.userPublicKey,
    delegations: body.delegations.map(({ delegation, signature }) => ({
      delegation: {
        pubkey: delegation.pubkey,
        expiration: BigInt(delegation.expiration).toString(16),
      },
      signature,
    })),
  });
  await d.store.write([
    { op: 'put', ...II_SESSION, value: { version: 1, provider: idp.url, chain: chain.toJSON() } },
  ]);
  return sessionKey;
}

/** The seed flow for `fields`: the shop gets key B for the courier, who exchanges it. */
async function release(
  d: Awaited<ReturnType<typeof makeDevice>>,
  fields: string[],
  icChallenge?: string,
) {
  const shop = await d.client('Shop');
  const courierIdentity = await createClientIdentity({ name: 'Courier', clock: d.clock });
  const courier = await d.client('Courier', { trusted: true, identity: courierIdentity });
  await shop.register();
  const a = await shop.requestKeyA(fields);
  const b = await shop.requestKeyB(
    a.key_a,
    { clientId: 'courier', thumbprint: courierIdentity.thumbprint },
    fields,
  );
  await courier.register();
  return courier.exchangeKeyB(b.key_b, icChallenge === undefined ? {} : { icChallenge });
}

const CHALLENGE = 'courier-challenge-0001';

describe('ic_principal, released to a company with a proof', () => {
  it('two devices signed in to the same anchor present the same, verified principal', async () => {
    const one = await makeDevice();
    const two = await makeDevice();
    const keyOne = await signIn(one);
    const keyTwo = await signIn(two);
    expect(hex(keyOne)).not.toBe(hex(keyTwo));

    const principals = [];
    for (const d of [one, two]) {
      const { fields, missing } = await release(d, ['ic_principal', 'name'], CHALLENGE);
      expect(missing).toBeUndefined();
      expect(fields.name).toBe('Ada Lovelace');
      const verified = await verifyPrincipalProof(fields.ic_principal, {
        challenge: CHALLENGE,
        clientId: 'courier',
        now: d.clock.now(),
      });
      expect(verified.provider).toBe(idp.url);
      principals.push(verified.principal);
    }
    expect(principals[0]).toBe(principals[1]);

    // another app origin is another principal, as with II
    const three = await makeDevice();
    await signIn(three, 'https://other.test');
    const { fields } = await release(three, ['ic_principal'], CHALLENGE);
    const other = await verifyPrincipalProof(fields.ic_principal, {
      challenge: CHALLENGE,
      now: three.clock.now(),
    });
    expect(other.principal).not.toBe(principals[0]);
  });

  it('is missing without a session, without a challenge, and after the session expired', async () => {
    const notSignedIn = await makeDevice();
    expect((await release(notSignedIn, ['ic_principal', 'name'], CHALLENGE)).missing).toEqual([
      'ic_principal',
    ]);

    const noChallenge = await makeDevice();
    await signIn(noChallenge);
    expect((await release(noChallenge, ['ic_principal'])).missing).toEqual(['ic_principal']);

    const expired = await makeDevice();
    await signIn(expired);
    expired.clock.t += 3_600_001;
    expect((await release(expired, ['ic_principal'], CHALLENGE)).missing).toEqual(['ic_principal']);
  });

  it('refuses a malformed challenge in the data request (ERR_REQUEST_MALFORMED)', async () => {
    const d = await makeDevice();
    await signIn(d);
    expect(await codeOf(release(d, ['ic_principal'], 'short'))).toBe('ERR_REQUEST_MALFORMED');
  });

  it('a proof made for one company does not verify for another challenge', async () => {
    const d = await makeDevice();
    await signIn(d);
    const { fields } = await release(d, ['ic_principal'], CHALLENGE);
    expect(
      await codeOf(
        verifyPrincipalProof(fields.ic_principal, {
          challenge: 'another-challenge-0001',
          now: d.clock.now(),
        }),
      ),
    ).toBe('ERR_IC_PROOF_CHALLENGE');
    expect(
      await codeOf(
        verifyPrincipalProof(fields.ic_principal, {
          challenge: CHALLENGE,
          clientId: 'shop',
          now: d.clock.now(),
        }),
      ),
    ).toBe('ERR_IC_PROOF_CHALLENGE');
  });
});
