import { describe, expect, it } from 'vitest';
import { codeOfCall as codeOf } from '../../testing/code_of.js';
import { b64u } from '../encoding/index.js';
import { decodeCanonical, encodeCanonical, type CapValue } from './cbor.js';
import { createRequest } from './create_request.js';
import { TAGS } from './envelope.js';
import { parseRequest } from './parse_request.js';
import type { CertificateRequestInput } from './request.js';
import { parseRequestLink, requestLink, requestOrigin, resolveRequest } from './request_origin.js';
import { generateKey } from './test_keys.js';

const NOW = Date.UTC(2026, 11, 3, 9, 0, 0);

async function setup(overrides: Partial<CertificateRequestInput> = {}) {
  const app = await generateKey();
  const input: CertificateRequestInput = {
    name: 'Notes',
    description: 'Keeps your notes',
    url: 'https://notes.example/',
    icon: 'https://notes.example/icon.png',
    subject: app.publicKey,
    capabilities: [{ resource: 'https://notes.example/notes/*', actions: ['create'] }],
    lifetime: 86_400,
    fields: ['name'],
    returnUrl: 'https://notes.example/return',
    nonce: new Uint8Array(16).fill(7),
    ...overrides,
  };
  return { app, input };
}

/** Re-signs an edited body with `sign`, to test rules past the signature check. */
async function resign(
  bytes: Uint8Array,
  edit: (body: Record<string, CapValue>) => void,
  sign: (m: Uint8Array) => Promise<Uint8Array>,
) {
  const [, payload] = decodeCanonical(bytes, 8192) as [
    Uint8Array,
    Record<string, Record<string, CapValue>>,
  ];
  const body = { ...payload[TAGS.request]! };
  edit(body);
  const signed = encodeCanonical({ [TAGS.request]: body });
  return encodeCanonical([await sign(signed), { [TAGS.request]: body }]);
}

describe('certificate requests', () => {
  it('round-trips, with its id and every field', async () => {
    const { app, input } = await setup();
    const { bytes, request } = await createRequest(input, app.sign, NOW);
    expect(request).toMatchObject({
      name: 'Notes',
      description: 'Keeps your notes',
      url: 'https://notes.example/',
      fields: ['name'],
      lifetime: 86_400,
      issuedAt: NOW / 1000,
      expiresAt: NOW / 1000 + 600,
    });
    expect(request.subject).toEqual(app.publicKey);
    expect(request.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await parseRequest(bytes, { now: NOW })).id).toBe(request.id);
    // Small enough for one QR code in a link (byte mode, level M holds 2331 bytes).
    expect(
      requestLink('https://device.example/capability', { kind: 'inline', bytes }).length,
    ).toBeLessThan(1200);
  });

  it('refuses every single-byte change', async () => {
    const { app, input } = await setup();
    const { bytes } = await createRequest(input, app.sign, NOW);
    for (let i = 0; i < bytes.length; i++) {
      const tampered = bytes.slice();
      tampered[i]! ^= 0x01;
      const code = await codeOf(() => parseRequest(tampered, { now: NOW }));
      expect(code, `byte ${i}`).toMatch(/^ERR_CAP_/);
    }
  });

  it('refuses a request signed by another key than its subject', async () => {
    const { input } = await setup();
    const other = await generateKey();
    const { app } = await setup();
    const { bytes } = await createRequest({ ...input, subject: app.publicKey }, app.sign, NOW);
    const forged = await resign(bytes, (b) => (b.name = 'Bank'), other.sign);
    expect(await codeOf(() => parseRequest(forged, { now: NOW }))).toBe(
      'ERR_CAP_SIGNATURE_INVALID',
    );
  });

  it('keeps the icon and the return path on the app origin', async () => {
    const { app, input } = await setup({ returnUrl: 'https://evil.example/steal' });
    expect(await codeOf(() => createRequest(input, app.sign, NOW))).toBe('ERR_CAP_ORIGIN_MISMATCH');
    const icon = await setup({ icon: 'https://tracker.example/pixel.png' });
    expect(await codeOf(() => createRequest(icon.input, icon.app.sign, NOW))).toBe(
      'ERR_CAP_ORIGIN_MISMATCH',
    );
    const http = await setup({
      url: 'http://notes.example/',
      returnUrl: 'http://notes.example/r',
      icon: undefined as never,
    });
    expect(await codeOf(() => createRequest(http.input, http.app.sign, NOW))).toBe(
      'ERR_CAP_MALFORMED',
    );
    const loop = await setup({
      url: 'http://127.0.0.1:8080/',
      returnUrl: 'http://127.0.0.1:8080/r',
    });
    expect(
      (
        await createRequest(
          { ...loop.input, icon: 'http://127.0.0.1:8080/i.png' },
          loop.app.sign,
          NOW,
        )
      ).request.returnUrl,
    ).toBe('http://127.0.0.1:8080/r');
  });

  it('carries its icon inline, sniffed and capped; the device fetches nothing to show it', async () => {
    const ascii = (t: string) => new TextEncoder().encode(t);
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const svg = ascii('<svg xmlns="http://www.w3.org/2000/svg"/>');
    const webp = Uint8Array.from([...ascii('RIFF'), 0, 0, 0, 0, ...ascii('WEBPVP8 ')]);
    for (const [bytes, type] of [
      [png, 'image/png'],
      [svg, 'image/svg+xml'],
      [webp, 'image/webp'],
      [ascii('GIF89a....'), 'image/gif'],
      [Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]), 'image/jpeg'],
    ] as const) {
      const { app, input } = await setup({ iconImage: bytes });
      const withoutUrl = Object.fromEntries(
        Object.entries(input).filter(([k]) => k !== 'icon'),
      ) as CertificateRequestInput;
      const { request } = await createRequest(withoutUrl, app.sign, NOW);
      expect(request.iconImage).toEqual({ type, bytes });
      expect(request.icon).toBeUndefined();
    }
    const refused = async (icon: Uint8Array) => {
      const { app, input } = await setup();
      const { bytes } = await createRequest(input, app.sign, NOW);
      return codeOf(async () =>
        parseRequest(await resign(bytes, (b) => (b.icon = icon), app.sign), { now: NOW }),
      );
    };
    expect(await refused(ascii('<html><script>'))).toBe('ERR_CAP_MALFORMED');
    expect(await refused(new Uint8Array(0))).toBe('ERR_CAP_MALFORMED');
    const big = new Uint8Array(2049);
    big.set(png);
    expect(await refused(big)).toBe('ERR_CAP_TOO_LARGE');
    const { app, input } = await setup({ iconImage: png }); // and the URL as well
    expect(await codeOf(() => createRequest(input, app.sign, NOW))).toBe('ERR_INVALID_INPUT');
  });

  it('is short-lived: expired and future requests are refused', async () => {
    const { app, input } = await setup();
    const { bytes } = await createRequest(input, app.sign, NOW);
    expect(await codeOf(() => parseRequest(bytes, { now: NOW + 661_000 }))).toBe('ERR_CAP_EXPIRED');
    expect(await codeOf(() => parseRequest(bytes, { now: NOW - 61_000 }))).toBe(
      'ERR_CAP_NOT_YET_VALID',
    );
    expect(await codeOf(() => parseRequest(bytes, { now: NOW + 600_000 }))).toBeUndefined();
    const long = await resign(bytes, (b) => (b.exp = (b.iat as number) + 601), app.sign);
    expect(await codeOf(() => parseRequest(long, { now: NOW }))).toBe('ERR_CAP_MALFORMED');
  });

  it('refuses bad fields, unknown fields and oversized input', async () => {
    const { app, input } = await setup();
    const { bytes } = await createRequest(input, app.sign, NOW);
    const edits: [string, (b: Record<string, CapValue>) => void, string][] = [
      ['unknown field', (b) => (b.admin = true), 'ERR_CAP_MALFORMED'],
      ['short key', (b) => (b.sub = new Uint8Array(31)), 'ERR_CAP_MALFORMED'],
      ['unknown action', (b) => (b.cap = [{ res: 'x', act: ['sudo'] }]), 'ERR_CAP_MALFORMED'],
      ['no capability', (b) => (b.cap = []), 'ERR_CAP_MALFORMED'],
      [
        'glob too long',
        (b) => (b.cap = [{ res: 'x'.repeat(513), act: ['read'] }]),
        'ERR_CAP_GLOB_INVALID',
      ],
      [
        'lone surrogate (invalid UTF-8 on the wire)',
        (b) => (b.cap = [{ res: '\uD800', act: ['read'] }]),
        'ERR_CAP_MALFORMED',
      ],
      [
        '17 capabilities',
        (b) => (b.cap = Array.from({ length: 17 }, () => ({ res: 'x', act: ['read'] }))),
        'ERR_CAP_TOO_LARGE',
      ],
      ['control character in name', (b) => (b.name = 'Notes\u202e\u0000'), 'ERR_CAP_MALFORMED'],
      ['bad profile field', (b) => (b.fields = ['Name']), 'ERR_CAP_MALFORMED'],
      ['short nonce', (b) => (b.nonce = new Uint8Array(4)), 'ERR_CAP_MALFORMED'],
      ['lifetime too long', (b) => (b.ttl = 367 * 86_400), 'ERR_CAP_MALFORMED'],
      ['url not normal', (b) => (b.url = 'HTTPS://notes.example'), 'ERR_CAP_MALFORMED'],
    ];
    for (const [what, edit, code] of edits) {
      const edited = await resign(bytes, edit, app.sign);
      expect([what, await codeOf(() => parseRequest(edited, { now: NOW }))]).toEqual([what, code]);
    }
    const huge = await resign(bytes, (b) => (b.desc = 'x'.repeat(5000)), app.sign);
    expect(await codeOf(() => parseRequest(huge, { now: NOW }))).toBe('ERR_CAP_TOO_LARGE');
    expect(await codeOf(() => parseRequest(new Uint8Array(0), { now: NOW }))).toBe(
      'ERR_CAP_MALFORMED',
    );
  });
});

describe('request links and the origin', () => {
  it('carries a request inline, and calls its origin only claimed', async () => {
    const { app, input } = await setup();
    const { bytes } = await createRequest(input, app.sign, NOW);
    const link = requestLink('web+disco:capability', { kind: 'inline', bytes });
    const ref = parseRequestLink(link);
    const resolved = await resolveRequest(ref, {
      now: NOW,
      fetchBytes: () => Promise.reject(new Error('no fetch')),
    });
    expect(resolved).toMatchObject({ origin: 'https://notes.example', status: 'claimed' });
  });

  it('verifies the origin when the device fetched the request from it, and catches a swap', async () => {
    const { app, input } = await setup();
    const { bytes, request } = await createRequest(input, app.sign, NOW);
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(bytes)));
    const served = new Map<string, Uint8Array>([['https://notes.example/disco/request/1', bytes]]);
    const fetchBytes = (url: string) => Promise.resolve(served.get(url) ?? new Uint8Array());
    const link = requestLink('https://device.example/capability', {
      kind: 'uri',
      uri: 'https://notes.example/disco/request/1',
      hash,
    });
    const resolved = await resolveRequest(parseRequestLink(link), { now: NOW, fetchBytes });
    expect(resolved.status).toBe('verified');
    expect(resolved.request.id).toBe(request.id);

    // The same request served from another origin is only claimed.
    served.set('https://mirror.example/r', bytes);
    const mirrored = await resolveRequest(
      { kind: 'uri', uri: 'https://mirror.example/r', hash },
      { now: NOW, fetchBytes },
    );
    expect(mirrored.status).toBe('claimed');
    expect(requestOrigin(request, { fetchedFrom: 'https://notes.example.evil.com/' }).status).toBe(
      'claimed',
    );

    // A QR whose document was swapped for another app's request.
    const other = await setup({ name: 'Other' });
    served.set(
      'https://notes.example/disco/request/1',
      (await createRequest(other.input, other.app.sign, NOW)).bytes,
    );
    expect(
      await codeOf(() => resolveRequest(parseRequestLink(link), { now: NOW, fetchBytes })),
    ).toBe('ERR_CAP_DIGEST_MISMATCH');
  });

  it('refuses links that are not request links', () => {
    for (const bad of [
      'https://device.example/',
      'web+disco:capability?request=***',
      'web+disco:capability?request=a&x=1',
      'web+disco:capability?request_uri=https://a.example/&request_hash=AAAA',
      'web+disco:capability?request_uri=ftp://a.example/&request_hash=' +
        b64u.encode(new Uint8Array(32)),
      'x'.repeat(9000),
    ]) {
      expect(() => parseRequestLink(bad)).toThrow(
        expect.objectContaining({ code: 'ERR_CAP_MALFORMED' }) as Error,
      );
    }
  });
});
