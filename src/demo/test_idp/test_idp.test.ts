import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DelegationChain,
  derOf,
  Principal,
  verifyDelegationChain,
} from '../../protocol/ic/index.js';
import { startTestIdp } from './test_idp.js';

const NOW = 1_780_000_000_000;
const APP = 'http://127.0.0.1:5173';
const sessionKey = derOf('ed25519', new Uint8Array(32).fill(3));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

let idp: { url: string; stop: () => Promise<void> };
beforeAll(async () => {
  idp = await startTestIdp({ secret: new Uint8Array(32).fill(1), clock: { now: () => NOW } });
});
afterAll(() => idp.stop());

function ask(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${idp.url}/api/delegation`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

async function chainOf(res: Response): Promise<DelegationChain> {
  expect(res.status).toBe(200);
  const body = (await res.json()) as {
    userPublicKey: string;
    delegations: Array<{ delegation: { pubkey: string; expiration: string }; signature: string }>;
  };
  return DelegationChain.fromJSON({
    publicKey: body.userPublicKey,
    delegations: body.delegations.map(({ delegation, signature }) => ({
      delegation: {
        pubkey: delegation.pubkey,
        expiration: BigInt(delegation.expiration).toString(16),
      },
      signature,
    })),
  });
}

describe('test identity provider', () => {
  it('signs a delegation to the session key that verifies, capped at 30 days', async () => {
    const chain = await chainOf(
      await ask({
        sessionPublicKey: hex(sessionKey),
        maxTimeToLive: 3_600_000_000_000n.toString(),
        origin: APP,
      }),
    );
    const verified = await verifyDelegationChain(chain, { now: NOW, sessionKey });
    expect(verified.expiration).toBe(BigInt(NOW) * 1_000_000n + 3_600_000_000_000n);
    const long = await chainOf(
      await ask({ sessionPublicKey: hex(sessionKey), maxTimeToLive: '9'.repeat(19), origin: APP }),
    );
    expect(long.delegations[0]!.delegation.expiration).toBe(
      BigInt(NOW) * 1_000_000n + 30n * 86_400_000_000_000n,
    );
  });

  it('gives one principal per app origin, the same every time', async () => {
    const principal = async (origin: string) =>
      Principal.selfAuthenticating(
        (await chainOf(await ask({ sessionPublicKey: hex(sessionKey), origin }))).publicKey,
      ).toText();
    expect(await principal(APP)).toBe(await principal(APP));
    expect(await principal(APP)).not.toBe(await principal('http://localhost:5173'));
  });

  it.each([
    ['no key', { origin: APP }],
    ['a key that is not DER', { sessionPublicKey: 'abcd', origin: APP }],
    ['a bad origin', { sessionPublicKey: hex(sessionKey), origin: `${APP}/path` }],
    ['a bad lifetime', { sessionPublicKey: hex(sessionKey), maxTimeToLive: '-1', origin: APP }],
    ['an extra field', { sessionPublicKey: hex(sessionKey), origin: APP, extra: 1 }],
  ])('refuses %s with 400', async (_name, body) => {
    const res = await ask(body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('ERR_INVALID_INPUT');
  });

  it('refuses another origin and keeps the popup its opener', async () => {
    const res = await ask({ sessionPublicKey: hex(sessionKey), origin: APP }, { origin: APP });
    expect(res.status).toBe(403);
    const page = await fetch(`${idp.url}/`);
    expect(page.headers.get('cross-origin-opener-policy')).toBe('unsafe-none');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('/idp.js');
  });
});
