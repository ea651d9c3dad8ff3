import { describe, expect, it } from 'vitest';
import { codeOfCall as codeOf } from '../../../testing/code_of.js';
import { b64u } from '../../encoding/index.js';
import { checkBackupRecord, NOT_BACKED_UP } from '../../backup/collections.js';
import { acceptRevocationList } from '../accept_revocation_list.js';
import { createRequest } from '../create_request.js';
import { parseCertificate } from '../parse_certificate.js';
import { requestLink } from '../request_origin.js';
import type { CertificateRequestInput } from '../request.js';
import { generateKey } from '../test_keys.js';
import { verifyCapability } from '../verify_capability.js';
import { createInvocation } from '../create_invocation.js';
import {
  acceptCapabilityRequest,
  approveCapabilityRequest,
  CAP_COLLECTIONS,
  deviceRevocationList,
  listIssuedCertificates,
  refuseCapabilityRequest,
  revokeCapabilityCertificate,
  type CapabilityActivityRecord,
} from './index.js';
import { deviceBase, START } from './test_world.js';

const REV =
  'https://relay.example/p/disco-0123456789abcdef0123456789abcdef/disco/capability/revocations';

async function world() {
  const { key, device, clock, random, store } = await deviceBase();
  const deps = { store, clock, random, device, revocationUrl: REV };
  const served = new Map<string, Uint8Array>();
  const fetchBytes = (url: string) =>
    served.has(url) ? Promise.resolve(served.get(url)!) : Promise.reject(new Error('404'));

  async function appRequest(overrides: Partial<CertificateRequestInput> = {}) {
    const app = await generateKey();
    const input: CertificateRequestInput = {
      name: 'Notes',
      url: 'https://notes.example/',
      subject: app.publicKey,
      capabilities: [{ resource: 'https://notes.example/notes/*', actions: ['create'] }],
      lifetime: 7 * 86_400,
      fields: ['name', 'email'],
      returnUrl: 'https://notes.example/return',
      nonce: random(16),
      ...overrides,
    };
    const made = await createRequest(input, app.sign, clock.now());
    return { app, ...made };
  }
  async function open(overrides: Partial<CertificateRequestInput> = {}) {
    const made = await appRequest(overrides);
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(made.bytes)));
    const uri = `https://notes.example/disco/requests/${made.request.id}`;
    served.set(uri, made.bytes);
    const link = requestLink('https://device.example/#/capability', { kind: 'uri', uri, hash });
    const accepted = await acceptCapabilityRequest(link, { store, clock, fetchBytes });
    return { ...made, ...accepted, link };
  }
  const activity = async () =>
    (await store.list<CapabilityActivityRecord>('activity')).map((r) => r.value);
  return { key, device, clock, store, deps, served, fetchBytes, appRequest, open, activity };
}

describe('device side of capability certificates', () => {
  it('opens a request from its link, origin verified, and keeps it once', async () => {
    const w = await world();
    const { record, request, link } = await w.open();
    expect(record).toMatchObject({
      id: request.id,
      origin: 'https://notes.example',
      status: 'verified',
    });
    const again = await acceptCapabilityRequest(link, { ...w, fetchBytes: w.fetchBytes });
    expect(again.record).toMatchObject({ id: record.id, receivedAt: record.receivedAt });
    expect(await w.store.list(CAP_COLLECTIONS.requests)).toHaveLength(1);
  });

  it('an inline request is only claimed', async () => {
    const w = await world();
    const { bytes } = await w.appRequest();
    const link = requestLink('web+disco:capability', { kind: 'inline', bytes });
    const { record } = await acceptCapabilityRequest(link, { ...w, fetchBytes: w.fetchBytes });
    expect(record.status).toBe('claimed');
  });

  it('refuses a tampered or swapped request and writes nothing', async () => {
    const w = await world();
    const { bytes } = await w.appRequest();
    const tampered = new Uint8Array(bytes);
    tampered[tampered.length - 20]! ^= 1;
    const inline = requestLink('web+disco:capability', { kind: 'inline', bytes: tampered });
    expect(
      await codeOf(() => acceptCapabilityRequest(inline, { ...w, fetchBytes: w.fetchBytes })),
    ).toMatch(/^ERR_CAP_(SIGNATURE_INVALID|MALFORMED|NON_CANONICAL)$/);
    const { link, request } = await w.open();
    await refuseCapabilityRequest(request.id, w);
    // the QR's document is swapped for another app's request
    const other = await w.appRequest({ name: 'Other' });
    w.served.set(`https://notes.example/disco/requests/${request.id}`, other.bytes);
    expect(
      await codeOf(() => acceptCapabilityRequest(link, { ...w, fetchBytes: w.fetchBytes })),
    ).toBe('ERR_CAP_DIGEST_MISMATCH');
    expect(
      await codeOf(() =>
        acceptCapabilityRequest('https://x.example/?a=1', { ...w, fetchBytes: w.fetchBytes }),
      ),
    ).toBe('ERR_CAP_MALFORMED');
    expect(await w.store.list(CAP_COLLECTIONS.requests)).toHaveLength(0);
  });

  it('issues a certificate with the lifetime shortened and only the picked fields, logs it, returns it', async () => {
    const w = await world();
    const { request, app } = await w.open();
    const out = await approveCapabilityRequest(
      request.id,
      { lifetime: 3600, profile: { name: 'Ada' } },
      w.deps,
    );
    const cert = await parseCertificate(out.certificate.bytes);
    expect(cert.issuer).toEqual(w.key.publicKey);
    expect(cert.subject).toEqual(app.publicKey);
    expect(cert.expiresAt - cert.notBefore).toBe(3600);
    expect(cert.profile).toEqual({ name: 'Ada' });
    expect(cert.revocationUrl).toBe(REV);
    expect(cert.request).toBe(request.id);
    const ret = new URL(out.returnUrl!);
    expect(ret.origin + ret.pathname).toBe('https://notes.example/return');
    expect(ret.searchParams.get('certificate')).toBe(b64u.encode(cert.bytes));
    // the request left Requests; the certificate and the activity entry were written with it
    expect(await w.store.list(CAP_COLLECTIONS.requests)).toHaveLength(0);
    const issued = await listIssuedCertificates(w);
    expect(issued).toMatchObject([{ id: cert.id, appName: 'Notes', fields: ['name'] }]);
    expect(await w.activity()).toMatchObject([
      { kind: 'capability_issue', outcome: 'approved', certificateId: cert.id, fields: ['name'] },
    ]);
    // a second approval of the same request signs nothing that is kept
    expect(await codeOf(() => approveCapabilityRequest(request.id, {}, w.deps))).toBe(
      'ERR_NOT_FOUND',
    );
    expect(await listIssuedCertificates(w)).toHaveLength(1);
  });

  it('refuses a longer lifetime, a field not asked for, and an expired request', async () => {
    const w = await world();
    const { request } = await w.open();
    expect(
      await codeOf(() => approveCapabilityRequest(request.id, { lifetime: 8 * 86_400 }, w.deps)),
    ).toBe('ERR_CAP_WIDENED');
    expect(
      await codeOf(() =>
        approveCapabilityRequest(request.id, { profile: { phone_number: '1' } }, w.deps),
      ),
    ).toBe('ERR_CAP_WIDENED');
    w.clock.t += 12 * 60_000;
    expect(await codeOf(() => approveCapabilityRequest(request.id, {}, w.deps))).toBe(
      'ERR_CAP_EXPIRED',
    );
    expect(await listIssuedCertificates(w)).toHaveLength(0);
    expect(await w.activity()).toHaveLength(0);
  });

  it('revokes: the signed list names the certificate, its sequence only grows, a verifier refuses', async () => {
    const w = await world();
    const empty = await deviceRevocationList(w.deps);
    expect(empty).toMatchObject({ sequence: 0, revoked: [] });
    const a = await w.open();
    const b = await w.open({ name: 'Other notes' });
    const certA = (await approveCapabilityRequest(a.request.id, {}, w.deps)).certificate;
    const certB = (await approveCapabilityRequest(b.request.id, {}, w.deps)).certificate;

    const invoke = async () =>
      verifyCapability({
        certificate: certA.bytes,
        invocation: (
          await createInvocation(
            {
              invoker: a.app.publicKey,
              audience: 'https://notes.example',
              resource: 'https://notes.example/notes/main',
              action: 'create',
              proofs: [certA.id],
              nonce: crypto.getRandomValues(new Uint8Array(16)),
            },
            a.app.sign,
            w.clock.now(),
          )
        ).bytes,
        expect: {
          audience: 'https://notes.example',
          resource: 'https://notes.example/notes/main',
          action: 'create',
        },
        now: w.clock.now(),
        trustedIssuers: [w.key.publicKey],
        revocations: [await deviceRevocationList(w.deps)],
        remember: () => true,
      });
    await expect(invoke()).resolves.toBeDefined();

    const first = await revokeCapabilityCertificate(certA.id, w.deps);
    expect(first).toEqual({ sequence: 1, revoked: [certA.id] });
    expect(await codeOf(invoke)).toBe('ERR_CAP_REVOKED');
    // revoking again changes nothing
    expect(await revokeCapabilityCertificate(certA.id, w.deps)).toEqual(first);
    const list1 = await deviceRevocationList(w.deps);
    w.clock.t += 30_000;
    const list1again = await deviceRevocationList(w.deps);
    expect(list1again.sequence).toBe(1);
    expect(list1again.issuedAt).toBeGreaterThan(list1.issuedAt); // re-signed on each request
    await revokeCapabilityCertificate(certB.id, w.deps);
    const list2 = await deviceRevocationList(w.deps);
    expect(list2.sequence).toBe(2);
    expect([...list2.revoked].sort()).toEqual([certA.id, certB.id].sort());
    // a verifier moves forward only
    const held = acceptRevocationList(w.key.publicKey, list1, list2);
    expect(held.sequence).toBe(2);
    expect(await codeOf(() => acceptRevocationList(w.key.publicKey, list2, list1))).toBe(
      'ERR_CAP_REVOCATIONS_ROLLBACK',
    );
    expect((await listIssuedCertificates(w)).every((c) => c.revokedAt !== undefined)).toBe(true);
    expect((await w.activity()).map((x) => x.kind).sort()).toEqual([
      'capability_issue',
      'capability_issue',
      'capability_revoke',
      'capability_revoke',
    ]);
    expect(await codeOf(() => revokeCapabilityCertificate('nope', w.deps))).toBe('ERR_NOT_FOUND');
  });

  it('drops long-expired ids from the list when it next changes', async () => {
    const w = await world();
    const a = await w.open();
    const certA = (await approveCapabilityRequest(a.request.id, { lifetime: 60 }, w.deps))
      .certificate;
    await revokeCapabilityCertificate(certA.id, w.deps);
    w.clock.t += 10 * 60_000;
    const b = await w.open();
    const certB = (await approveCapabilityRequest(b.request.id, {}, w.deps)).certificate;
    expect(await revokeCapabilityCertificate(certB.id, w.deps)).toEqual({
      sequence: 2,
      revoked: [certB.id],
    });
  });

  it('backs up issued certificates and the revocation state, not waiting requests', async () => {
    const w = await world();
    const a = await w.open();
    const cert = (await approveCapabilityRequest(a.request.id, {}, w.deps)).certificate;
    await revokeCapabilityCertificate(cert.id, w.deps);
    await w.open({ name: 'Waiting' });
    for (const r of await w.store.listAll()) {
      if (r.collection === CAP_COLLECTIONS.requests) {
        expect(NOT_BACKED_UP.has(r.collection)).toBe(true);
      } else {
        // JSON round trip, as a backup file does
        const value: unknown = JSON.parse(JSON.stringify(r.value));
        expect(checkBackupRecord(r.collection, r.key, value, START)).toEqual(value);
      }
    }
    expect(
      await codeOf(() =>
        checkBackupRecord(
          CAP_COLLECTIONS.revocations,
          'device',
          { sequence: -1, revoked: [] },
          START,
        ),
      ),
    ).toBe('ERR_BACKUP_MALFORMED');
    expect(
      await codeOf(() =>
        checkBackupRecord(CAP_COLLECTIONS.certificates, 'other-id', { id: cert.id }, START),
      ),
    ).toBe('ERR_BACKUP_MALFORMED');
  });
});
