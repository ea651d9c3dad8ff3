import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOfCall as codeOf } from '../../../testing/code_of.js';
import { startTestRelay, unreachable } from '../../../server/relay/testing.js';
import { b64u } from '../../encoding/index.js';
import { MemoryStore } from '../../storage/index.js';
import { acceptRevocationList } from '../accept_revocation_list.js';
import { planRevocationSync } from '../adopt_revocations.js';
import { issueCertificate } from '../issue_certificate.js';
import { parseRevocationList } from '../parse_revocation_list.js';
import {
  checkPublishedList,
  compareCachedLists,
  peerIdOfIssuer,
  type CachedRevocationList,
} from '../revocation_cache.js';
import { signRevocationList } from '../sign_revocation_list.js';
import { generateKey } from '../test_keys.js';
import {
  CAP_COLLECTIONS,
  deviceRevocationList,
  publishDeviceRevocations,
  relayRevocationCache,
  revokeCapabilityCertificate,
  type IssuedCertificateRecord,
  type RevocationRelay,
  type RevocationState,
} from './index.js';

const START = Date.UTC(2026, 11, 3, 9, 0, 0);

/**
 * A relay cache with the relay's own rules (`checkPublishedList`, `compareCachedLists`, as
 * src/server/relay/revocation_cache.ts applies them), counting what it is asked.
 */
function relayCache(peerId: string, now: () => number) {
  let held: CachedRevocationList | undefined;
  const calls = { get: 0, put: 0 };
  const relay: RevocationRelay = {
    get() {
      calls.get++;
      return Promise.resolve(held && b64u.decode(held.list));
    },
    async put(envelope) {
      calls.put++;
      const { entry } = await checkPublishedList(envelope, peerId, { now: now() });
      const decision = compareCachedLists(held, entry);
      if (decision === 'rollback' || decision === 'conflict') return 'rollback';
      if (decision === 'store') held = entry;
      return 'taken';
    },
  };
  return { relay, calls, held: () => held };
}

interface Clock {
  now(): number;
  advance(ms: number): void;
}

function testClock(): Clock {
  let t = START;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

async function world(clock: Clock = testClock(), relayFor?: (peerId: string) => RevocationRelay) {
  const key = await generateKey();
  const device = { issuer: key.publicKey, sign: key.sign };
  let counter = 0;
  const random = (n: number) => new Uint8Array(n).fill(++counter % 256);
  const store = new MemoryStore();
  const peerId = await peerIdOfIssuer(key.publicKey);
  const cache = relayCache(peerId, () => clock.now());
  const deps = { store, clock, random, device, relay: relayFor?.(peerId) ?? cache.relay };
  /** A certificate this device issued, recorded as approveCapabilityRequest records it. */
  async function issue(): Promise<string> {
    const app = await generateKey();
    const cert = await issueCertificate(
      {
        issuer: key.publicKey,
        subject: app.publicKey,
        capabilities: [{ resource: 'https://notes.example/notes/*', actions: ['create'] }],
        notBefore: Math.floor(clock.now() / 1000),
        expiresAt: Math.floor(clock.now() / 1000) + 86_400,
        nonce: random(16),
      },
      key.sign,
    );
    const record: IssuedCertificateRecord = {
      id: cert.id,
      certificate: b64u.encode(cert.bytes),
      subject: b64u.encode(app.publicKey),
      appName: 'Notes',
      appUrl: 'https://notes.example/',
      issuedAt: clock.now(),
      expiresAt: clock.now() + 86_400_000,
      fields: [],
    };
    await store.write([
      { op: 'put', collection: CAP_COLLECTIONS.certificates, key: cert.id, value: record },
    ]);
    return cert.id;
  }
  /** What a backup carries of capabilities (docs/wire/certificates.md "Backups"): both collections. */
  async function backup() {
    return {
      certificates: await store.list(CAP_COLLECTIONS.certificates),
      revocations: await store.list(CAP_COLLECTIONS.revocations),
    };
  }
  async function restore(taken: Awaited<ReturnType<typeof backup>>) {
    await store.write([
      ...(await store.list(CAP_COLLECTIONS.certificates)).map(({ key }) => ({
        op: 'delete' as const,
        collection: CAP_COLLECTIONS.certificates,
        key,
      })),
      ...[...taken.certificates, ...taken.revocations].map(({ key, value }) => ({
        op: 'put' as const,
        collection: key === 'device' ? CAP_COLLECTIONS.revocations : CAP_COLLECTIONS.certificates,
        key,
        value,
      })),
    ]);
  }
  const state = () => store.get<RevocationState>(CAP_COLLECTIONS.revocations, 'device');
  const revokedAt = async (id: string) =>
    (await store.get<IssuedCertificateRecord>(CAP_COLLECTIONS.certificates, id))?.revokedAt;
  return { key, clock, store, deps, cache, issue, backup, restore, state, revokedAt };
}

describe('publishDeviceRevocations', () => {
  it('coming online publishes only when the relay has nothing or an older list', async () => {
    const w = await world();
    expect(await publishDeviceRevocations(w.deps, { askFirst: true })).toBe('published');
    expect(w.cache.held()).toMatchObject({ sequence: 0 });
    expect(await publishDeviceRevocations(w.deps, { askFirst: true })).toBe('unchanged');
    expect(w.cache.calls.put).toBe(1);

    // revoked while the PUT was lost: the next time online, the relay's copy is older
    const a = await w.issue();
    await revokeCapabilityCertificate(a, w.deps);
    w.clock.advance(1000);
    expect(await publishDeviceRevocations(w.deps, { askFirst: true })).toBe('published');
    expect(w.cache.held()).toMatchObject({ sequence: 1 });
    expect(w.cache.calls.put).toBe(2);
  });

  it('a restored backup older than the last revocation adopts the relay list, never un-revoking', async () => {
    const w = await world();
    const a = await w.issue();
    const b = await w.issue();
    await revokeCapabilityCertificate(a, w.deps);
    expect(await publishDeviceRevocations(w.deps, { askFirst: false })).toBe('published');
    const taken = await w.backup();
    await revokeCapabilityCertificate(b, w.deps);
    expect(await publishDeviceRevocations(w.deps, { askFirst: false })).toBe('published');
    const seen = await parseRevocationList(b64u.decode(w.cache.held()!.list), {
      now: w.clock.now(),
    });

    await w.restore(taken);
    expect(await w.state()).toEqual({ sequence: 1, revoked: [a] });
    expect(await w.revokedAt(b)).toBeUndefined();
    w.clock.advance(1000);
    expect(await publishDeviceRevocations(w.deps, { askFirst: true })).toBe('adopted');
    // the relay's very list: its ids and sequence, signed again
    expect(await w.state()).toEqual({ sequence: 2, revoked: [a, b].sort() });
    expect(await w.revokedAt(b)).toBe(w.clock.now());
    const after = await deviceRevocationList(w.deps);
    expect(acceptRevocationList(w.key.publicKey, seen, after)).toBe(after);
    expect(w.cache.held()).toMatchObject({ sequence: 2 });
  });

  it('told rollback after a revocation, merges both lists under a higher sequence', async () => {
    const w = await world();
    const [a, b, c] = [await w.issue(), await w.issue(), await w.issue()];
    await revokeCapabilityCertificate(a, w.deps);
    await publishDeviceRevocations(w.deps, { askFirst: false });
    const taken = await w.backup();
    await revokeCapabilityCertificate(b, w.deps);
    await publishDeviceRevocations(w.deps, { askFirst: false });
    const relayList = await parseRevocationList(b64u.decode(w.cache.held()!.list), {
      now: w.clock.now(),
    });

    // restored, then revokes c before reaching the relay: sequence 2 twice, other ids
    await w.restore(taken);
    await revokeCapabilityCertificate(c, w.deps);
    const local = await deviceRevocationList(w.deps);
    expect(local.sequence).toBe(relayList.sequence);
    w.clock.advance(1000);
    expect(await publishDeviceRevocations(w.deps, { askFirst: false })).toBe('adopted');
    expect(await w.state()).toEqual({ sequence: 3, revoked: [a, b, c].sort() });
    const merged = await deviceRevocationList(w.deps);
    // a verifier that held either sequence-2 list takes the merged one
    expect(acceptRevocationList(w.key.publicKey, relayList, merged)).toBe(merged);
    expect(acceptRevocationList(w.key.publicKey, local, merged)).toBe(merged);
    expect(w.cache.held()).toMatchObject({ sequence: 3 });
    for (const id of [a, b, c]) expect(await w.revokedAt(id)).toBeTypeOf('number');
  });

  it("refuses to adopt a relay copy that is not signed by this device's key", async () => {
    const w = await world();
    const other = await generateKey();
    const forged = await signRevocationList(
      { issuer: other.publicKey, sequence: 9, revoked: [b64u.encode(new Uint8Array(32))] },
      other.sign,
      w.clock.now(),
    );
    const deps = {
      ...w.deps,
      relay: {
        get: () => Promise.resolve(forged.bytes),
        put: () => Promise.resolve('rollback' as const),
      },
    };
    expect(await codeOf(() => publishDeviceRevocations(deps, { askFirst: true }))).toBe(
      'ERR_CAP_UNTRUSTED_ISSUER',
    );
    expect(await codeOf(() => publishDeviceRevocations(deps, { askFirst: false }))).toBe(
      'ERR_CAP_UNTRUSTED_ISSUER',
    );
    expect(await w.state()).toBeUndefined();
  });

  it('a relay that keeps refusing is an error, not a loop', async () => {
    const w = await world();
    const own = await deviceRevocationList(w.deps);
    const deps = {
      ...w.deps,
      relay: {
        get: () => Promise.resolve(own.bytes),
        put: () => Promise.resolve('rollback' as const),
      },
    };
    expect(await codeOf(() => publishDeviceRevocations(deps, { askFirst: false }))).toBe(
      'ERR_CAP_REVOCATIONS_ROLLBACK',
    );
  });
});

describe('publishDeviceRevocations, over HTTP against the real relay', () => {
  let relay: Awaited<ReturnType<typeof startTestRelay>>;
  beforeAll(async () => {
    relay = await startTestRelay();
    // the device is never reached through the tunnel here: only what it publishes counts
    relay.link.answer = unreachable;
  });
  afterAll(() => relay.close());

  it('publishes when online, adopts after a restore, merges after a refused PUT', async () => {
    const w = await world(relay.clock, (peerId) =>
      relayRevocationCache(`${relay.base}/capability/revocations/${peerId}`, (u, init) =>
        fetch(u, init),
      ),
    );
    const served = async () => {
      const peerId = await peerIdOfIssuer(w.key.publicKey);
      const res = await fetch(`${relay.base}/capability/revocations/${peerId}`);
      expect(res.status).toBe(200);
      const { list } = (await res.json()) as { list: string };
      return parseRevocationList(b64u.decode(list), { now: relay.clock.now() });
    };
    // nothing cached and the device unreachable (504): published
    expect(await publishDeviceRevocations(w.deps, { askFirst: true })).toBe('published');
    expect(await served()).toMatchObject({ sequence: 0, revoked: [] });
    expect(await publishDeviceRevocations(w.deps, { askFirst: true })).toBe('unchanged');

    const [a, b, c] = [await w.issue(), await w.issue(), await w.issue()];
    await revokeCapabilityCertificate(a, w.deps);
    expect(await publishDeviceRevocations(w.deps, { askFirst: false })).toBe('published');
    const taken = await w.backup();
    await revokeCapabilityCertificate(b, w.deps);
    expect(await publishDeviceRevocations(w.deps, { askFirst: false })).toBe('published');

    await w.restore(taken);
    relay.clock.advance(1000);
    expect(await publishDeviceRevocations(w.deps, { askFirst: true })).toBe('adopted');
    expect(await w.state()).toEqual({ sequence: 2, revoked: [a, b].sort() });

    await w.restore(taken);
    await revokeCapabilityCertificate(c, w.deps); // sequence 2 again, other ids: the relay refuses
    relay.clock.advance(1000);
    expect(await publishDeviceRevocations(w.deps, { askFirst: false })).toBe('adopted');
    const merged = await served();
    expect(merged.sequence).toBe(3);
    expect([...merged.revoked].sort()).toEqual([a, b, c].sort());
  });

  it('reads a relay that answers neither a list nor a known refusal as a transport failure', async () => {
    const answer = (status: number, body: unknown) => () =>
      Promise.resolve(new Response(JSON.stringify(body), { status }));
    const envelope = new Uint8Array(8);
    const down = relayRevocationCache('https://relay.example/x', answer(500, {}));
    expect(await codeOf(() => down.get())).toBe('ERR_TRANSPORT_FAILED');
    expect(await codeOf(() => down.put(envelope))).toBe('ERR_TRANSPORT_FAILED');
    const limited = relayRevocationCache(
      'https://relay.example/x',
      answer(429, { code: 'ERR_RATE_LIMITED' }),
    );
    expect(await codeOf(() => limited.put(envelope))).toBe('ERR_TRANSPORT_FAILED');
    const odd = relayRevocationCache('https://relay.example/x', answer(200, { list: 5 }));
    expect(await codeOf(() => odd.get())).toBe('ERR_CAP_MALFORMED');
    const empty = relayRevocationCache('https://relay.example/x', answer(404, {}));
    expect(await empty.get()).toBeUndefined();
  });
});

describe('planRevocationSync', () => {
  const id = (n: number) => b64u.encode(new Uint8Array(32).fill(n));
  it('publishes over nothing or a lower sequence, leaves the same list, adopts anything else', async () => {
    const key = await generateKey();
    const list = (sequence: number, revoked: string[]) =>
      signRevocationList({ issuer: key.publicKey, sequence, revoked }, key.sign, START);
    const mine = { sequence: 2, revoked: [id(1), id(2)] };
    expect(planRevocationSync(key.publicKey, mine, undefined)).toEqual({ action: 'publish' });
    expect(planRevocationSync(key.publicKey, mine, await list(1, [id(1)]))).toEqual({
      action: 'publish',
    });
    expect(planRevocationSync(key.publicKey, mine, await list(2, [id(2), id(1)]))).toEqual({
      action: 'none',
    });
    expect(planRevocationSync(key.publicKey, mine, await list(2, [id(3)]))).toEqual({
      action: 'adopt',
      next: { sequence: 3, revoked: [id(1), id(2), id(3)].sort() },
    });
    // a higher sequence that already names every id of ours: that very list
    expect(planRevocationSync(key.publicKey, mine, await list(5, [id(1), id(2), id(3)]))).toEqual({
      action: 'adopt',
      next: { sequence: 5, revoked: [id(1), id(2), id(3)].sort() },
    });
    // a higher sequence missing one of ours: nothing is un-revoked, and the number moves on
    expect(planRevocationSync(key.publicKey, mine, await list(5, [id(1)]))).toEqual({
      action: 'adopt',
      next: { sequence: 6, revoked: [id(1), id(2)].sort() },
    });
  });

  it('refuses a union past 1000 ids', async () => {
    const key = await generateKey();
    const theirs = Array.from({ length: 1000 }, (_, i) =>
      b64u.encode(new Uint8Array(32).fill(0).map((_, j) => (j < 2 ? (i >> (8 * j)) & 255 : 7))),
    );
    const relay = await signRevocationList(
      { issuer: key.publicKey, sequence: 4, revoked: theirs },
      key.sign,
      START,
    );
    const mine = { sequence: 1, revoked: [id(200)] };
    expect(await codeOf(() => planRevocationSync(key.publicKey, mine, relay))).toBe(
      'ERR_TOO_LARGE',
    );
  });
});
