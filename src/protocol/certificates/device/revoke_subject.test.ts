import { describe, expect, it } from 'vitest';
import { codeOfCall as codeOf } from '../../../testing/code_of.js';
import { checkBackupRecord } from '../../backup/collections.js';
import { b64u } from '../../encoding/index.js';
import { isDiscoError } from '../../errors/index.js';
import { acceptRevocationList } from '../accept_revocation_list.js';
import { createRequest } from '../create_request.js';
import { issueCertificate } from '../issue_certificate.js';
import { requestLink } from '../request_origin.js';
import { generateKey, type TestKey } from '../test_keys.js';
import { verifyCertificate } from '../verify_certificate.js';
import {
  acceptCapabilityRequest,
  approveCapabilityRequest,
  CAP_COLLECTIONS,
  deviceRevocationList,
  listIssuedCertificates,
  revokeCapabilityCertificate,
  revokeCapabilitySubject,
  type CapabilityActivityRecord,
  type RevocationState,
} from './index.js';
import { deviceBase, START } from './test_world.js';
import { MemoryStore } from '../../storage/index.js';

const RES = 'https://notes.example/notes/main';

async function world() {
  const { key, device, clock, random, store } = await deviceBase();
  const deps = { store, clock, random, device };
  /** `app` asks (an inline link), the person approves: its certificate. */
  async function issue(app: TestKey, name = 'Demo Notes', lifetime = 7 * 86_400) {
    const { bytes } = await createRequest(
      {
        name,
        url: 'https://notes.example/',
        subject: app.publicKey,
        capabilities: [{ resource: 'https://notes.example/notes/*', actions: ['create'] }],
        lifetime,
        fields: [],
        nonce: random(16),
      },
      app.sign,
      clock.now(),
    );
    const link = requestLink('web+disco:capability', { kind: 'inline', bytes });
    const { record } = await acceptCapabilityRequest(link, {
      store,
      clock,
      fetchBytes: () => Promise.reject(new Error('inline')),
    });
    return approveCapabilityRequest(record.id, {}, deps);
  }
  const state = () => store.get<RevocationState>(CAP_COLLECTIONS.revocations, 'device');
  const activity = async () =>
    (await store.list<CapabilityActivityRecord>('activity')).map((r) => r.value);
  const verify = async (chain: Uint8Array[]) =>
    verifyCertificate(chain, {
      resource: RES,
      action: 'create',
      now: clock.now(),
      revocations: [await deviceRevocationList(deps)],
      trustedIssuers: [key.publicKey],
    });
  return { key, clock, store, deps, issue, state, activity, verify };
}

describe('revokeCapabilitySubject: all certificates of one app', () => {
  it('revokes every certificate of the app in one change, and what it delegated', async () => {
    const w = await world();
    const notes = await generateKey();
    const other = await generateKey();
    const first = (await w.issue(notes)).certificate;
    const second = (await w.issue(notes)).certificate;
    const kept = (await w.issue(other, 'Courier')).certificate;
    const helper = await generateKey();
    // the app hands a narrower certificate to a helper: the device never sees it
    const onward = await issueCertificate(
      {
        issuer: notes.publicKey,
        subject: helper.publicKey,
        capabilities: [{ resource: RES, actions: ['create'] }],
        notBefore: first.notBefore,
        expiresAt: first.expiresAt - 60,
        nonce: new Uint8Array(16).fill(7),
        parent: first.id,
      },
      notes.sign,
    );
    expect((await w.verify([first.bytes, onward.bytes])).subject).toEqual(helper.publicKey);
    const before = await deviceRevocationList(w.deps);

    const subject = b64u.encode(notes.publicKey);
    const next = await revokeCapabilitySubject(subject, w.deps);
    expect(next).toEqual({ sequence: 1, revoked: [], revokedSubjects: [subject] });

    const list = await deviceRevocationList(w.deps);
    expect(list).toMatchObject({ sequence: 1, revoked: [], revokedSubjects: [subject] });
    expect(acceptRevocationList(w.key.publicKey, before, list)).toBe(list);
    for (const chain of [[first.bytes], [second.bytes], [first.bytes, onward.bytes]]) {
      expect(await codeOf(() => w.verify(chain))).toBe('ERR_CAP_REVOKED');
    }
    expect((await w.verify([kept.bytes])).subject).toEqual(other.publicKey);

    const issued = await listIssuedCertificates(w.deps);
    expect(
      issued
        .filter((c) => c.revokedAt !== undefined)
        .map((c) => c.id)
        .sort(),
    ).toEqual([first.id, second.id].sort());
    const revokes = (await w.activity()).filter((a) => a.kind === 'capability_revoke_all');
    expect(revokes).toHaveLength(1);
    expect(revokes[0]).toMatchObject({
      outcome: 'revoked',
      decidedBy: 'person',
      clientId: subject,
      clientName: 'Demo Notes',
      scope: ['create https://notes.example/notes/*'],
    });
    expect(revokes[0]!.certificateIds?.sort()).toEqual([first.id, second.id].sort());

    // twice changes nothing
    expect(await revokeCapabilitySubject(subject, w.deps)).toEqual(next);
    expect(await w.activity()).toHaveLength(4);
  });

  it('refuses a key it issued nothing to, and a full list of subjects, writing nothing', async () => {
    const w = await world();
    expect(
      await codeOf(() => revokeCapabilitySubject(b64u.encode(new Uint8Array(32)), w.deps)),
    ).toBe('ERR_NOT_FOUND');
    const notes = await generateKey();
    const cert = (await w.issue(notes)).certificate;
    // 100 apps already revoked, each with a certificate still in force
    const full = Array.from({ length: 100 }, (_, i) => b64u.encode(new Uint8Array(32).fill(i)));
    const record = (await listIssuedCertificates(w.deps))[0]!;
    await w.store.write([
      {
        op: 'put',
        collection: CAP_COLLECTIONS.revocations,
        key: 'device',
        value: { sequence: 3, revoked: [], revokedSubjects: full } satisfies RevocationState,
      },
      ...full.map((subject, i) => ({
        op: 'put' as const,
        collection: CAP_COLLECTIONS.certificates,
        key: `cert-${i}`,
        value: { ...record, id: `cert-${i}`, subject, revokedAt: START },
      })),
    ]);
    const before = await w.store.listAll();
    expect(await codeOf(() => revokeCapabilitySubject(b64u.encode(notes.publicKey), w.deps))).toBe(
      'ERR_TOO_LARGE',
    );
    expect(await w.store.listAll()).toEqual(before);
    expect((await listIssuedCertificates(w.deps)).find((c) => c.id === cert.id)?.revokedAt).toBe(
      undefined,
    );
  });

  it('a revocation of one certificate keeps the revoked subjects', async () => {
    const w = await world();
    const notes = await generateKey();
    const other = await generateKey();
    await w.issue(notes);
    const courier = (await w.issue(other, 'Courier')).certificate;
    await revokeCapabilitySubject(b64u.encode(notes.publicKey), w.deps);
    expect(await revokeCapabilityCertificate(courier.id, w.deps)).toEqual({
      sequence: 2,
      revoked: [courier.id],
      revokedSubjects: [b64u.encode(notes.publicKey)],
    });
  });

  it('drops a subject once all its certificates ran out, when the list next changes', async () => {
    const w = await world();
    const notes = await generateKey();
    const other = await generateKey();
    await w.issue(notes, 'Demo Notes', 3600);
    const courier = (await w.issue(other, 'Courier')).certificate;
    await revokeCapabilitySubject(b64u.encode(notes.publicKey), w.deps);
    w.clock.t += 2 * 3600_000;
    expect(await revokeCapabilityCertificate(courier.id, w.deps)).toEqual({
      sequence: 2,
      revoked: [courier.id],
    });
  });

  it('a new approval for a revoked app takes its key off the list, its old certificates stay revoked', async () => {
    const w = await world();
    const notes = await generateKey();
    const old = (await w.issue(notes)).certificate;
    await revokeCapabilitySubject(b64u.encode(notes.publicKey), w.deps);
    const renewed = await w.issue(notes);
    expect(renewed.revocationsChanged).toBe(true);
    expect(await w.state()).toEqual({ sequence: 2, revoked: [old.id] });
    expect((await w.verify([renewed.certificate.bytes])).subject).toEqual(notes.publicKey);
    expect(await codeOf(() => w.verify([old.bytes]))).toBe('ERR_CAP_REVOKED');
    // an app never revoked: the list is left alone
    expect((await w.issue(await generateKey(), 'Courier')).revocationsChanged).toBeUndefined();
    expect((await w.state())?.sequence).toBe(2);
  });

  it('two changes racing cannot share a sequence number', async () => {
    const w = await world();
    const notes = await generateKey();
    const other = await generateKey();
    await w.issue(notes);
    const courier = (await w.issue(other, 'Courier')).certificate;
    await revokeCapabilityCertificate(courier.id, w.deps);
    const results = await Promise.allSettled([
      revokeCapabilitySubject(b64u.encode(notes.publicKey), w.deps),
      revokeCapabilitySubject(b64u.encode(other.publicKey), w.deps),
    ]);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failed.length).toBeLessThanOrEqual(1);
    for (const f of failed) {
      const reason: unknown = f.reason;
      expect(isDiscoError(reason) && reason.code).toBe('ERR_STORE_CONFLICT');
    }
    expect((await w.state())?.sequence).toBe(1 + results.length - failed.length);
  });

  it('backs up and restores the revoked subjects; damaged ones are refused', async () => {
    const w = await world();
    const notes = await generateKey();
    await w.issue(notes);
    await revokeCapabilitySubject(b64u.encode(notes.publicKey), w.deps);
    const saved: unknown = JSON.parse(JSON.stringify(await w.state()));
    expect(checkBackupRecord(CAP_COLLECTIONS.revocations, 'device', saved, START)).toEqual(saved);
    const restored = new MemoryStore();
    await restored.write([
      { op: 'put', collection: CAP_COLLECTIONS.revocations, key: 'device', value: saved },
    ]);
    const list = await deviceRevocationList({ ...w.deps, store: restored });
    expect(list.revokedSubjects).toEqual([b64u.encode(notes.publicKey)]);
    const bad = (revokedSubjects: unknown) =>
      codeOf(() =>
        checkBackupRecord(
          CAP_COLLECTIONS.revocations,
          'device',
          { sequence: 1, revoked: [], revokedSubjects },
          START,
        ),
      );
    expect(await bad(['short'])).toBe('ERR_BACKUP_MALFORMED');
    expect(await bad([])).toBe('ERR_BACKUP_MALFORMED');
    expect(await bad('key')).toBe('ERR_BACKUP_MALFORMED');
    expect(await bad(Array.from({ length: 101 }, () => b64u.encode(new Uint8Array(32))))).toBe(
      'ERR_BACKUP_MALFORMED',
    );
  });
});
