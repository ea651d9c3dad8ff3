import { describe, expect, it } from 'vitest';
import { codeOfCall as codeOf } from '../../testing/code_of.js';
import type { Capability } from './capabilities.js';
import type { CertificateInput } from './certificate.js';
import { createInvocation } from './create_invocation.js';
import { createRequest } from './create_request.js';
import { grantRequest } from './grant_request.js';
import { certificateReturnUrl } from './return_url.js';
import { b64u } from '../encoding/index.js';
import type { InvocationInput } from './invocation.js';
import { issueCertificate } from './issue_certificate.js';
import { signRevocationList } from './sign_revocation_list.js';
import { generateKey, type TestKey } from './test_keys.js';
import { verifyCapability, type VerifyCapabilityOptions } from './verify_capability.js';

const NOW = Date.UTC(2026, 11, 3, 9, 0, 0);
const T = NOW / 1000;
const AUD = 'https://notes.example';
const RES = 'https://notes.example/notes/main';
const NOTES: Capability[] = [
  { resource: 'https://notes.example/notes/*', actions: ['create', 'read'] },
];
const nonce = (n: number) => new Uint8Array(16).fill(n);

interface World {
  device: TestKey;
  app: TestKey;
  cert: Awaited<ReturnType<typeof issueCertificate>>;
  options(overrides?: Partial<VerifyCapabilityOptions>): Promise<VerifyCapabilityOptions>;
  invoke(over?: Partial<InvocationInput>, key?: TestKey, at?: number): Promise<Uint8Array>;
}

async function world(certOverrides: Partial<CertificateInput> = {}): Promise<World> {
  const device = await generateKey();
  const app = await generateKey();
  const cert = await issueCertificate(
    {
      issuer: device.publicKey,
      subject: app.publicKey,
      capabilities: NOTES,
      notBefore: T,
      expiresAt: T + 3600,
      nonce: nonce(1),
      ...certOverrides,
    },
    device.sign,
  );
  const list = await signRevocationList(
    { issuer: device.publicKey, sequence: 0, revoked: [] },
    device.sign,
    NOW,
  );
  let n = 10;
  const invoke = async (over: Partial<InvocationInput> = {}, key = app, at = NOW) =>
    (
      await createInvocation(
        {
          invoker: key.publicKey,
          audience: AUD,
          resource: RES,
          action: 'create',
          proofs: [cert.id],
          nonce: nonce(n++),
          ...over,
        },
        key.sign,
        at,
      )
    ).bytes;
  const options = async (
    overrides: Partial<VerifyCapabilityOptions> = {},
  ): Promise<VerifyCapabilityOptions> => ({
    certificate: cert.bytes,
    invocation: await invoke(),
    expect: { audience: AUD, resource: RES, action: 'create' },
    now: NOW,
    trustedIssuers: [device.publicKey],
    revocations: [list],
    remember: () => true,
    ...overrides,
  });
  return { device, app, cert, options, invoke };
}

describe('verifyCapability', () => {
  it('accepts a use covered by a fresh, trusted, unrevoked certificate', async () => {
    const w = await world();
    const result = await verifyCapability(await w.options());
    expect(result.rootIssuer).toEqual(w.device.publicKey);
    expect(result.invocation.resource).toBe(RES);
    expect(result.chain.map((c) => c.id)).toEqual([w.cert.id]);
  });

  it('denies by default: untrusted issuer, other resource, other action', async () => {
    const w = await world();
    const stranger = await generateKey();
    expect(
      await codeOf(async () =>
        verifyCapability(await w.options({ trustedIssuers: [stranger.publicKey] })),
      ),
    ).toBe('ERR_CAP_UNTRUSTED_ISSUER');
    expect(
      await codeOf(async () => verifyCapability(await w.options({ trustedIssuers: [] }))),
    ).toBe('ERR_CAP_UNTRUSTED_ISSUER');
    const other = 'https://notes.example/admin';
    const inv = await w.invoke({ resource: other });
    expect(
      await codeOf(async () =>
        verifyCapability(
          await w.options({
            invocation: inv,
            expect: { audience: AUD, resource: other, action: 'create' },
          }),
        ),
      ),
    ).toBe('ERR_CAP_RESOURCE_NOT_COVERED');
    const del = await w.invoke({ action: 'delete' });
    expect(
      await codeOf(async () =>
        verifyCapability(
          await w.options({
            invocation: del,
            expect: { audience: AUD, resource: RES, action: 'delete' },
          }),
        ),
      ),
    ).toBe('ERR_CAP_ACTION_NOT_GRANTED');
  });

  it('binds the invocation to this verifier, this resource, this action and this payload', async () => {
    const w = await world();
    const digest = new Uint8Array(32).fill(9);
    const cases: [Partial<InvocationInput>, string][] = [
      [{ audience: 'https://other.example' }, 'ERR_CAP_AUDIENCE_MISMATCH'],
      [{ resource: 'https://notes.example/notes/other' }, 'ERR_CAP_RESOURCE_NOT_COVERED'],
      [{ action: 'read' }, 'ERR_CAP_ACTION_NOT_GRANTED'],
      [{ digest: new Uint8Array(32).fill(8) }, 'ERR_CAP_DIGEST_MISMATCH'],
      [{}, 'ERR_CAP_DIGEST_MISMATCH'], // no digest where one is expected
    ];
    for (const [over, code] of cases) {
      const invocation = await w.invoke(over);
      const options = await w.options({
        invocation,
        expect: { audience: AUD, resource: RES, action: 'create', digest },
      });
      expect([over, await codeOf(() => verifyCapability(options))]).toEqual([over, code]);
    }
    const good = await w.invoke({ digest });
    await expect(
      verifyCapability(
        await w.options({
          invocation: good,
          expect: { audience: AUD, resource: RES, action: 'create', digest },
        }),
      ),
    ).resolves.toBeDefined();
  });

  it('refuses an invoker that is not the subject, and an invocation naming another chain', async () => {
    const w = await world();
    const thief = await generateKey();
    const stolen = await w.invoke({}, thief);
    expect(
      await codeOf(async () => verifyCapability(await w.options({ invocation: stolen }))),
    ).toBe('ERR_CAP_WRONG_SUBJECT');
    const other = await world();
    const mismatched = await w.invoke({ proofs: [other.cert.id] });
    expect(
      await codeOf(async () => verifyCapability(await w.options({ invocation: mismatched }))),
    ).toBe('ERR_CAP_PROOF_MISMATCH');
  });

  it('enforces the time window of the certificate and the invocation, with 60 s skew', async () => {
    const w = await world();
    const at = (ms: number) => async () =>
      verifyCapability(await w.options({ now: ms, invocation: await w.invoke({}, w.app, ms) }));
    expect(await codeOf(at(NOW + 3600_000 + 60_000))).toBe('ERR_CAP_EXPIRED');
    expect(await codeOf(at(NOW + 3600_000 + 59_000))).toBe('ERR_CAP_REVOCATIONS_STALE'); // within skew; list is old now
    expect(await codeOf(at(NOW - 61_000))).toBe('ERR_CAP_NOT_YET_VALID');
    const late = await w.invoke({}, w.app, NOW);
    expect(
      await codeOf(async () =>
        verifyCapability(await w.options({ invocation: late, now: NOW + 361_000 })),
      ),
    ).toBe('ERR_CAP_EXPIRED');
    const early = await w.invoke({}, w.app, NOW + 120_000);
    expect(await codeOf(async () => verifyCapability(await w.options({ invocation: early })))).toBe(
      'ERR_CAP_NOT_YET_VALID',
    );
  });

  it('refuses a replayed invocation, and remembers only what passed', async () => {
    const w = await world();
    const seen = new Set<string>();
    const remember = (id: string) => !seen.has(id) && !!seen.add(id);
    const invocation = await w.invoke();
    await verifyCapability(await w.options({ invocation, remember }));
    expect(
      await codeOf(async () => verifyCapability(await w.options({ invocation, remember }))),
    ).toBe('ERR_CAP_REPLAYED');
    const refused = await w.invoke({ audience: 'https://x.example' });
    await codeOf(async () => verifyCapability(await w.options({ invocation: refused, remember })));
    expect(seen.size).toBe(1);
  });

  it('honours revocation, and refuses a stale or missing list', async () => {
    const w = await world();
    const revoked = await signRevocationList(
      { issuer: w.device.publicKey, sequence: 1, revoked: [w.cert.id] },
      w.device.sign,
      NOW,
    );
    expect(
      await codeOf(async () => verifyCapability(await w.options({ revocations: [revoked] }))),
    ).toBe('ERR_CAP_REVOKED');
    expect(await codeOf(async () => verifyCapability(await w.options({ revocations: [] })))).toBe(
      'ERR_CAP_REVOCATIONS_STALE',
    );
    const old = await signRevocationList(
      { issuer: w.device.publicKey, sequence: 0, revoked: [] },
      w.device.sign,
      NOW - 301_000,
    );
    expect(
      await codeOf(async () => verifyCapability(await w.options({ revocations: [old] }))),
    ).toBe('ERR_CAP_REVOCATIONS_STALE');
    const justFresh = await signRevocationList(
      { issuer: w.device.publicKey, sequence: 0, revoked: [] },
      w.device.sign,
      NOW - 300_000,
    );
    await expect(
      verifyCapability(await w.options({ revocations: [justFresh] })),
    ).resolves.toBeDefined();
    // Another device's list says nothing about this certificate.
    const other = await world();
    const foreign = await signRevocationList(
      { issuer: other.device.publicKey, sequence: 0, revoked: [] },
      other.device.sign,
      NOW,
    );
    expect(
      await codeOf(async () => verifyCapability(await w.options({ revocations: [foreign] }))),
    ).toBe('ERR_CAP_REVOCATIONS_STALE');
  });

  it('refuses every single-byte change of the certificate and of the invocation', async () => {
    const w = await world();
    const base = await w.options();
    const cert = w.cert.bytes;
    for (let i = 0; i < cert.length; i++) {
      const tampered = cert.slice();
      tampered[i]! ^= 0x40;
      const code = await codeOf(() =>
        verifyCapability({ ...base, certificate: tampered, remember: () => true }),
      );
      expect(code, `certificate byte ${i}`).toMatch(/^ERR_CAP_/);
    }
    for (let i = 0; i < base.invocation.length; i++) {
      const tampered = base.invocation.slice();
      tampered[i]! ^= 0x40;
      const code = await codeOf(() => verifyCapability({ ...base, invocation: tampered }));
      expect(code, `invocation byte ${i}`).toMatch(/^ERR_CAP_/);
    }
  });

  it('refuses a certificate not signed by its issuer (high-S and swapped keys)', async () => {
    const w = await world();
    const forged = w.cert.bytes.slice();
    // The signature is the first item: array head (1), byte-string head (2), R (32), S (32).
    // S + L is the classic malleated signature; S is set to L's top byte to exceed L.
    forged[3 + 63] = 0xff;
    expect(
      await codeOf(async () => verifyCapability({ ...(await w.options()), certificate: forged })),
    ).toBe('ERR_CAP_SIGNATURE_INVALID');
  });

  it('refuses oversized input and empty or overlong chains', async () => {
    const w = await world();
    const base = await w.options();
    expect(
      await codeOf(() => verifyCapability({ ...base, certificate: new Uint8Array(4097) })),
    ).toBe('ERR_CAP_TOO_LARGE');
    expect(
      await codeOf(() => verifyCapability({ ...base, invocation: new Uint8Array(2049) })),
    ).toBe('ERR_CAP_TOO_LARGE');
    expect(await codeOf(() => verifyCapability({ ...base, certificate: [] }))).toBe(
      'ERR_CAP_MALFORMED',
    );
    expect(
      await codeOf(() =>
        verifyCapability({ ...base, certificate: Array.from({ length: 6 }, () => w.cert.bytes) }),
      ),
    ).toBe('ERR_CAP_CHAIN_TOO_LONG');
  });
});

describe('delegation chains (attenuation)', () => {
  async function delegate(w: World, to: TestKey, over: Partial<CertificateInput> = {}) {
    return issueCertificate(
      {
        issuer: w.app.publicKey,
        subject: to.publicKey,
        capabilities: [{ resource: 'https://notes.example/notes/main', actions: ['create'] }],
        notBefore: T,
        expiresAt: T + 1800,
        nonce: nonce(2),
        parent: w.cert.id,
        ...over,
      },
      w.app.sign,
    );
  }

  it('accepts a narrower delegation used by its subject', async () => {
    const w = await world();
    const helper = await generateKey();
    const child = await delegate(w, helper);
    const invocation = await w.invoke({ proofs: [w.cert.id, child.id] }, helper);
    const result = await verifyCapability(
      await w.options({ certificate: [w.cert.bytes, child.bytes], invocation }),
    );
    expect(result.chain).toHaveLength(2);
    // The parent's subject may no longer use the child's chain as if it were the child.
    const byParent = await w.invoke({ proofs: [w.cert.id, child.id] });
    expect(
      await codeOf(async () =>
        verifyCapability(
          await w.options({ certificate: [w.cert.bytes, child.bytes], invocation: byParent }),
        ),
      ),
    ).toBe('ERR_CAP_WRONG_SUBJECT');
  });

  it('refuses every widening: resources, actions, lifetime, start, profile', async () => {
    const w = await world({ profile: { name: 'Ada' } });
    const helper = await generateKey();
    const widen: [string, Partial<CertificateInput>][] = [
      [
        'resource',
        { capabilities: [{ resource: 'https://notes.example/*', actions: ['create'] }] },
      ],
      [
        'action',
        { capabilities: [{ resource: 'https://notes.example/notes/main', actions: ['delete'] }] },
      ],
      [
        'all actions',
        { capabilities: [{ resource: 'https://notes.example/notes/main', actions: ['*'] }] },
      ],
      ['expiry', { expiresAt: T + 3601 }],
      ['start', { notBefore: T - 1 }],
      ['profile', { profile: { name: 'Eve' } }],
    ];
    for (const [what, over] of widen) {
      const child = await delegate(w, helper, over);
      const invocation = await w.invoke({ proofs: [w.cert.id, child.id] }, helper);
      const options = await w.options({ certificate: [w.cert.bytes, child.bytes], invocation });
      expect([what, await codeOf(() => verifyCapability(options))]).toEqual([
        what,
        'ERR_CAP_WIDENED',
      ]);
    }
  });

  it('refuses broken links: wrong parent, wrong issuer, repeated keys, revoked parent', async () => {
    const w = await world();
    const helper = await generateKey();
    const orphan = await delegate(w, helper, { parent: 'A'.repeat(43) });
    const inv1 = await w.invoke({ proofs: [w.cert.id, orphan.id] }, helper);
    expect(
      await codeOf(async () =>
        verifyCapability(
          await w.options({ certificate: [w.cert.bytes, orphan.bytes], invocation: inv1 }),
        ),
      ),
    ).toBe('ERR_CAP_PROOF_MISMATCH');

    const stranger = await generateKey();
    const foreign = await issueCertificate(
      {
        issuer: stranger.publicKey,
        subject: helper.publicKey,
        capabilities: NOTES,
        notBefore: T,
        expiresAt: T + 60,
        nonce: nonce(3),
        parent: w.cert.id,
      },
      stranger.sign,
    );
    const inv2 = await w.invoke({ proofs: [w.cert.id, foreign.id] }, helper);
    expect(
      await codeOf(async () =>
        verifyCapability(
          await w.options({ certificate: [w.cert.bytes, foreign.bytes], invocation: inv2 }),
        ),
      ),
    ).toBe('ERR_CAP_WRONG_SUBJECT');

    const loop = await delegate(w, w.device);
    const inv3 = await w.invoke({ proofs: [w.cert.id, loop.id] }, w.device);
    expect(
      await codeOf(async () =>
        verifyCapability(
          await w.options({ certificate: [w.cert.bytes, loop.bytes], invocation: inv3 }),
        ),
      ),
    ).toBe('ERR_CAP_PROOF_MISMATCH');

    const child = await delegate(w, helper);
    const inv4 = await w.invoke({ proofs: [w.cert.id, child.id] }, helper);
    const list = await signRevocationList(
      { issuer: w.device.publicKey, sequence: 1, revoked: [child.id] },
      w.device.sign,
      NOW,
    );
    expect(
      await codeOf(async () =>
        verifyCapability(
          await w.options({
            certificate: [w.cert.bytes, child.bytes],
            invocation: inv4,
            revocations: [list],
          }),
        ),
      ),
    ).toBe('ERR_CAP_REVOKED');
  });
});

describe('grantRequest (the person narrows the request)', () => {
  it('issues what was asked, or less, and never more', async () => {
    const device = await generateKey();
    const app = await generateKey();
    const { request } = await createRequest(
      {
        name: 'Notes',
        url: 'https://notes.example/',
        subject: app.publicKey,
        capabilities: NOTES,
        lifetime: 86_400,
        fields: ['name', 'email'],
        nonce: nonce(4),
      },
      app.sign,
      NOW,
    );
    const ctx = { issuer: device.publicKey, now: NOW, nonce: nonce(5) };
    const granted = grantRequest(request, { lifetime: 3600, profile: { name: 'Ada' } }, ctx);
    const cert = await issueCertificate(granted, device.sign);
    expect(cert).toMatchObject({
      notBefore: T,
      expiresAt: T + 3600,
      request: request.id,
      profile: { name: 'Ada' },
    });
    expect(cert.subject).toEqual(app.publicKey);
    expect(
      certificateReturnUrl({ ...request, returnUrl: 'https://notes.example/r?a=1' }, cert),
    ).toBe(`https://notes.example/r?a=1&certificate=${b64u.encode(cert.bytes)}`);
    expect(
      await codeOf(() => Promise.resolve().then(() => certificateReturnUrl(request, cert))),
    ).toBe('ERR_CAP_MALFORMED');
    const code = (fn: () => unknown) => codeOf(() => Promise.resolve().then(fn));
    expect(await code(() => grantRequest(request, { lifetime: 86_401 }, ctx))).toBe(
      'ERR_CAP_WIDENED',
    );
    expect(await code(() => grantRequest(request, { profile: { phone: '1' } }, ctx))).toBe(
      'ERR_CAP_WIDENED',
    );
    expect(
      await code(() =>
        grantRequest(request, { capabilities: [{ resource: '*', actions: ['read'] }] }, ctx),
      ),
    ).toBe('ERR_CAP_WIDENED');
  });
});
