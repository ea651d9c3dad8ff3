import { describe, expect, it } from 'vitest';
import { issueCertificate, signRevocationList } from '../protocol/certificates/index.js';
import type { CertificateInput } from '../protocol/certificates/certificate.js';
import { generateKey, type TestKey } from '../protocol/certificates/test_keys.js';
import { isDiscoError } from '../protocol/errors/index.js';
import {
  createInvocation,
  matchResource,
  verifyCertificate,
  verifySignedObject,
  type VerifyCertificateOptions,
} from './index.js';

// Issue #8's verifier as an integrator imports it (src/sdk/index.ts): every refusal the issue
// lists comes back as a DiscoError with its own code.
const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const T = NOW / 1000;
const AUD = 'https://notes.example';
const RES = 'https://notes.example/notes/main';

async function codeOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'accepted';
  } catch (err) {
    return isDiscoError(err) ? err.code : `not a DiscoError: ${String(err)}`;
  }
}

let n = 0;
const nonce = () => new Uint8Array(16).fill(++n);

async function setting() {
  const device = await generateKey();
  const app = await generateKey();
  const issue = (over: Partial<CertificateInput> = {}, signer: TestKey = device) =>
    issueCertificate(
      {
        issuer: device.publicKey,
        subject: app.publicKey,
        capabilities: [{ resource: 'https://notes.example/notes/*', actions: ['create', 'read'] }],
        notBefore: T,
        expiresAt: T + 3600,
        nonce: nonce(),
        ...over,
      },
      signer.sign,
    );
  const cert = await issue();
  const list = await signRevocationList(
    { issuer: device.publicKey, sequence: 1, revoked: [] },
    device.sign,
    NOW,
  );
  const options = (over: Partial<VerifyCertificateOptions> = {}): VerifyCertificateOptions => ({
    resource: RES,
    action: 'create',
    now: NOW,
    revocations: [list],
    trustedIssuers: [device.publicKey],
    ...over,
  });
  const invoke = async (key: TestKey = app, proofs = [cert.id]) =>
    (
      await createInvocation(
        {
          invoker: key.publicKey,
          audience: AUD,
          resource: RES,
          action: 'create',
          proofs,
          nonce: nonce(),
        },
        key.sign,
        NOW,
      )
    ).bytes;
  const seen = new Set<string>();
  const objectOptions = (certificate: Uint8Array | Uint8Array[] = cert.bytes) => ({
    certificate,
    expect: { audience: AUD, resource: RES, action: 'create' as const },
    now: NOW,
    trustedIssuers: [device.publicKey],
    revocations: [list],
    remember: (id: string) => !seen.has(id) && !!seen.add(id),
  });
  return { device, app, cert, list, issue, options, invoke, objectOptions };
}

/** `bytes` with the first occurrence of `from` (ASCII) replaced by `to` (same length). */
function replaceText(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const needle = new TextEncoder().encode(from);
  const at = bytes.findIndex((_, i) => needle.every((b, j) => bytes[i + j] === b));
  expect(at).toBeGreaterThanOrEqual(0);
  const out = bytes.slice();
  out.set(new TextEncoder().encode(to), at);
  return out;
}

describe('verifyCertificate (SDK)', () => {
  it('accepts a fresh, trusted, unrevoked certificate that covers the use', async () => {
    const s = await setting();
    const verified = await verifyCertificate(s.cert.bytes, s.options());
    expect(verified.rootIssuer).toEqual(s.device.publicKey);
    expect(verified.subject).toEqual(s.app.publicKey);
    expect(verified.chain.map((c) => c.id)).toEqual([s.cert.id]);
    expect(matchResource('https://notes.example/notes/*', RES)).toBe(true);
  });

  it('refuses each fault with its own code', async () => {
    const s = await setting();
    const signature = s.cert.bytes.slice();
    signature[10]! ^= 1; // inside the 64-byte signature
    const cases: [string, () => Promise<unknown>][] = [
      ['ERR_CAP_SIGNATURE_INVALID', () => verifyCertificate(signature, s.options())],
      [
        'ERR_CAP_SIGNATURE_INVALID', // tampered body, still canonical
        () => verifyCertificate(replaceText(s.cert.bytes, 'notes/*', 'admin/*'), s.options()),
      ],
      [
        'ERR_CAP_NON_CANONICAL', // the signature's length in a longer head than needed
        () =>
          verifyCertificate(
            Uint8Array.from([0x82, 0x59, 0x00, 0x40, ...s.cert.bytes.slice(3)]),
            s.options(),
          ),
      ],
      [
        'ERR_CAP_UNKNOWN_ALGORITHM',
        () =>
          verifyCertificate(
            replaceText(s.cert.bytes, 'disco/cap/cert/1', 'disco/cap/cert/2'),
            s.options(),
          ),
      ],
      [
        'ERR_CAP_EXPIRED',
        () => verifyCertificate(s.cert.bytes, s.options({ now: NOW + 7200_000 })),
      ],
      [
        'ERR_CAP_NOT_YET_VALID',
        () => verifyCertificate(s.cert.bytes, s.options({ now: NOW - 3600_000 })),
      ],
      [
        'ERR_CAP_RESOURCE_NOT_COVERED',
        () =>
          verifyCertificate(s.cert.bytes, s.options({ resource: 'https://notes.example/admin' })),
      ],
      [
        'ERR_CAP_ACTION_NOT_GRANTED',
        () => verifyCertificate(s.cert.bytes, s.options({ action: 'delete' })),
      ],
      [
        'ERR_CAP_UNTRUSTED_ISSUER',
        () => verifyCertificate(s.cert.bytes, s.options({ trustedIssuers: [s.app.publicKey] })),
      ],
      [
        'ERR_CAP_REVOCATIONS_STALE',
        () => verifyCertificate(s.cert.bytes, s.options({ revocations: [] })),
      ],
    ];
    for (const [code, run] of cases) expect(await codeOf(run), code).toBe(code);

    const revoked = await signRevocationList(
      { issuer: s.device.publicKey, sequence: 2, revoked: [s.cert.id] },
      s.device.sign,
      NOW,
    );
    expect(
      await codeOf(() => verifyCertificate(s.cert.bytes, s.options({ revocations: [revoked] }))),
    ).toBe('ERR_CAP_REVOKED');
  });

  it('refuses a widened delegation and a chain over five links', async () => {
    const s = await setting();
    const helper = await generateKey();
    const wider = await s.issue(
      {
        issuer: s.app.publicKey,
        subject: helper.publicKey,
        parent: s.cert.id,
        capabilities: [{ resource: 'https://notes.example/*', actions: ['create'] }],
      },
      s.app,
    );
    expect(await codeOf(() => verifyCertificate([s.cert.bytes, wider.bytes], s.options()))).toBe(
      'ERR_CAP_WIDENED',
    );
    const narrower = await s.issue(
      { issuer: s.app.publicKey, subject: helper.publicKey, parent: s.cert.id },
      s.app,
    );
    const verified = await verifyCertificate([s.cert.bytes, narrower.bytes], s.options());
    expect(verified.subject).toEqual(helper.publicKey);

    expect(await codeOf(() => verifyCertificate(Array(6).fill(s.cert.bytes), s.options()))).toBe(
      'ERR_CAP_CHAIN_TOO_LONG',
    );
  });
});

describe('verifySignedObject (SDK)', () => {
  it("accepts an object signed by the certificate's subject, once", async () => {
    const s = await setting();
    const object = await s.invoke();
    const options = s.objectOptions();
    const verified = await verifySignedObject(object, options);
    expect(verified.invocation.resource).toBe(RES);
    expect(verified.rootIssuer).toEqual(s.device.publicKey);
    expect(await codeOf(() => verifySignedObject(object, options))).toBe('ERR_CAP_REPLAYED');
  });

  it('refuses an object signed by another key, and a tampered object', async () => {
    const s = await setting();
    const stranger = await generateKey();
    expect(
      await codeOf(async () => verifySignedObject(await s.invoke(stranger), s.objectOptions())),
    ).toBe('ERR_CAP_WRONG_SUBJECT');
    const tampered = replaceText(await s.invoke(), 'notes/main', 'notes/mail');
    expect(await codeOf(() => verifySignedObject(tampered, s.objectOptions()))).toBe(
      'ERR_CAP_SIGNATURE_INVALID',
    );
  });
});
