import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOfCall as codeOf } from '../../testing/code_of.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { b64u } from '../encoding/index.js';
import { acceptRevocationList } from './accept_revocation_list.js';
import { planRevocationSync } from './adopt_revocations.js';
import type { Capability } from './capabilities.js';
import { decodeCanonical, encodeCanonical, type CapValue } from './cbor.js';
import type { Certificate } from './certificate.js';
import { createInvocation } from './create_invocation.js';
import { TAGS } from './envelope.js';
import { issueCertificate } from './issue_certificate.js';
import { parseRevocationList } from './parse_revocation_list.js';
import { cachedListOf } from './revocation_cache.js';
import type { RevocationList } from './revocation_list.js';
import { signRevocationList } from './sign_revocation_list.js';
import { generateKey, type TestKey } from './test_keys.js';
import { verifyCapability } from './verify_capability.js';
import { checkRevocations, verifyCertificate } from './verify_certificate.js';

/** Revoking all certificates of one subject: the list's `subs` (docs/wire/certificates.md). */

const NOW = Date.UTC(2026, 11, 3, 9, 0, 0);
const T = NOW / 1000;
const RES = 'https://notes.example/notes/main';
const NOTES: Capability[] = [{ resource: 'https://notes.example/notes/*', actions: ['create'] }];
const key32 = (n: number) => b64u.encode(new Uint8Array(32).fill(n));

/** Re-signs `list` with its body edited: bytes a careless or hostile signer could send. */
async function resign(
  list: RevocationList,
  device: TestKey,
  edit: (body: Record<string, CapValue>) => void,
) {
  const [, payload] = decodeCanonical(list.bytes, 1e6) as [
    Uint8Array,
    Record<string, Record<string, CapValue>>,
  ];
  const body = { ...payload[TAGS.revocations]! };
  edit(body);
  const signed = encodeCanonical({ [TAGS.revocations]: body });
  return encodeCanonical([await device.sign(signed), { [TAGS.revocations]: body }]);
}

describe('revocation list: revoked subjects (`subs`)', () => {
  it('keeps the bytes and id of every list without revoked subjects', async () => {
    // RFC 8032 §7.1 TEST 1 secret key, so the signature (deterministic Ed25519) is fixed too.
    // The expected bytes were produced by signRevocationList before `subs` existed.
    const sk = hexToBytes('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    const issuer = ed25519.getPublicKey(sk);
    const sign = (m: Uint8Array) => Promise.resolve(ed25519.sign(m, sk));
    const list = await signRevocationList(
      { issuer, sequence: 7, revoked: [key32(2), key32(1)], revokedSubjects: [] },
      sign,
      NOW,
    );
    expect(bytesToHex(list.bytes)).toBe(
      '8258407d63266c01b3e39f0938acec001a8d90765017487a25ed1f9db08973f98180815913c04c6ff032b8c7' +
        '8d67d44e3d93355811fa88b32adbe87cc2597246a8740ea16f646973636f2f6361702f7265762f31a46369' +
        '61741a6b112f9063696473825820010101010101010101010101010101010101010101010101010101010101' +
        '010158200202020202020202020202020202020202020202020202020202020202020202636973735820d75a' +
        '980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a6373657107',
    );
    expect(list.id).toBe('lUCvkEKBoTHyglkEho12GfJ5sgszMT--5dNH5TVlCYU');
    const empty = await signRevocationList({ issuer, sequence: 0, revoked: [] }, sign, NOW);
    expect(empty.id).toBe('rK8W-DIKP2RPgiD5lHu6S6JseX0KHt0yvQ0GO7SjlxQ');
    expect(empty.revokedSubjects).toEqual([]);
  });

  it('round-trips subjects sorted bytewise and deduplicated', async () => {
    const device = await generateKey();
    const list = await signRevocationList(
      {
        issuer: device.publicKey,
        sequence: 2,
        revoked: [key32(5)],
        revokedSubjects: [key32(0xf0), key32(3), key32(0xf0)],
      },
      device.sign,
      NOW,
    );
    expect(list.revokedSubjects).toEqual([key32(3), key32(0xf0)]);
    const again = await parseRevocationList(list.bytes, { now: NOW });
    expect(again).toMatchObject({ id: list.id, revokedSubjects: [key32(3), key32(0xf0)] });
  });

  it('refuses an empty, unsorted, repeated, mis-sized or oversized `subs`, with its code', async () => {
    const device = await generateKey();
    const list = await signRevocationList(
      { issuer: device.publicKey, sequence: 1, revoked: [], revokedSubjects: [key32(1)] },
      device.sign,
      NOW,
    );
    const code = async (edit: (b: Record<string, CapValue>) => void) =>
      codeOf(async () => parseRevocationList(await resign(list, device, edit), { now: NOW }));
    const k = (n: number) => new Uint8Array(32).fill(n);
    expect(await code((b) => (b.subs = []))).toBe('ERR_CAP_NON_CANONICAL');
    expect(await code((b) => (b.subs = [k(2), k(1)]))).toBe('ERR_CAP_MALFORMED');
    expect(await code((b) => (b.subs = [k(2), k(2)]))).toBe('ERR_CAP_MALFORMED');
    expect(await code((b) => (b.subs = [new Uint8Array(31)]))).toBe('ERR_CAP_MALFORMED');
    expect(await code((b) => (b.subs = ['a key']))).toBe('ERR_CAP_MALFORMED');
    expect(await code((b) => (b.subs = k(1)))).toBe('ERR_CAP_MALFORMED');
    expect(await code((b) => (b.sub = [k(1)]))).toBe('ERR_CAP_MALFORMED');
    const many = Array.from({ length: 101 }, (_, i) => Uint8Array.from({ length: 32 }, () => i));
    expect(await code((b) => (b.subs = many))).toBe('ERR_CAP_TOO_LARGE');
    // tampering with a subject breaks the signature
    const tampered = list.bytes.slice();
    tampered[tampered.indexOf(1, tampered.length - 40)]! ^= 0x80;
    expect(await codeOf(() => parseRevocationList(tampered, { now: NOW }))).toMatch(/^ERR_CAP_/);
  });

  it('fits a full list (1000 ids, 100 subjects) in 40 000 bytes', async () => {
    const device = await generateKey();
    const n32 = (i: number, tag: number) =>
      b64u.encode(
        Uint8Array.from({ length: 32 }, (_, j) => (j === 0 ? tag : j < 3 ? i >> (8 * (j - 1)) : 0)),
      );
    const list = await signRevocationList(
      {
        issuer: device.publicKey,
        sequence: 1,
        revoked: Array.from({ length: 1000 }, (_, i) => n32(i, 1)),
        revokedSubjects: Array.from({ length: 100 }, (_, i) => n32(i, 2)),
      },
      device.sign,
      NOW,
    );
    expect(list.bytes.length).toBeLessThanOrEqual(40_000);
    expect(list.revokedSubjects).toHaveLength(100);
  });

  it('one sequence, other subjects: refused as two lists under one number, also by caches', async () => {
    const device = await generateKey();
    const sign = (subjects: string[], at = NOW) =>
      signRevocationList(
        { issuer: device.publicKey, sequence: 4, revoked: [key32(1)], revokedSubjects: subjects },
        device.sign,
        at,
      );
    const a = await sign([]);
    const b = await sign([key32(9)]);
    expect(await codeOf(() => acceptRevocationList(device.publicKey, a, b))).toBe(
      'ERR_CAP_REVOCATIONS_ROLLBACK',
    );
    const later = await sign([key32(9)], NOW + 5000);
    expect(acceptRevocationList(device.publicKey, b, later)).toBe(later);
    expect((await cachedListOf(a)).ids).not.toBe((await cachedListOf(b)).ids);
    expect((await cachedListOf(b)).ids).toBe((await cachedListOf(later)).ids);
    // an id moved into the subjects is another list too (the count fixes where ids end)
    const moved = await signRevocationList(
      { issuer: device.publicKey, sequence: 4, revoked: [], revokedSubjects: [key32(1), key32(9)] },
      device.sign,
      NOW,
    );
    expect((await cachedListOf(moved)).ids).not.toBe((await cachedListOf(b)).ids);
    // without subjects, the digest is the SHA-256 of the ids as before (entries already cached)
    const joined = new Uint8Array(32).fill(1);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', joined));
    expect((await cachedListOf(a)).ids).toBe(b64u.encode(digest));
  });

  it('is adopted as a union of subjects when the relay holds a newer list', async () => {
    const device = await generateKey();
    const relay = await signRevocationList(
      { issuer: device.publicKey, sequence: 3, revoked: [], revokedSubjects: [key32(7)] },
      device.sign,
      NOW,
    );
    const mine = { sequence: 2, revoked: [key32(1)], revokedSubjects: [key32(8)] };
    expect(planRevocationSync(device.publicKey, mine, relay)).toEqual({
      action: 'adopt',
      next: { sequence: 4, revoked: [key32(1)], revokedSubjects: [key32(7), key32(8)].sort() },
    });
    const same = { sequence: 3, revoked: [], revokedSubjects: [key32(7)] };
    expect(planRevocationSync(device.publicKey, same, relay)).toEqual({ action: 'none' });
    const older = { sequence: 1, revoked: [], revokedSubjects: [] };
    expect(planRevocationSync(device.publicKey, older, relay)).toEqual({
      action: 'adopt',
      next: { sequence: 3, revoked: [], revokedSubjects: [key32(7)] },
    });
  });
});

/** device → app → helper → courier: the app delegated onward, the helper once more. */
async function chainWorld() {
  const [device, app, helper, courier, stranger] = await Promise.all(
    Array.from({ length: 5 }, () => generateKey()),
  );
  const link = (from: TestKey, to: TestKey, parent: Certificate | undefined, n: number) =>
    issueCertificate(
      {
        issuer: from.publicKey,
        subject: to.publicKey,
        capabilities: NOTES,
        notBefore: T,
        expiresAt: T + 3600 - n,
        nonce: new Uint8Array(16).fill(n),
        ...(parent ? { parent: parent.id } : {}),
      },
      from.sign,
    );
  const root = await link(device!, app!, undefined, 1);
  const second = await link(app!, helper!, root, 2);
  const third = await link(helper!, courier!, second, 3);
  const list = (revoked: readonly string[], revokedSubjects: readonly string[]) =>
    signRevocationList(
      { issuer: device!.publicKey, sequence: 1, revoked, revokedSubjects },
      device!.sign,
      NOW,
    );
  const verify = async (chain: Certificate[], revocations: RevocationList) =>
    verifyCertificate(
      chain.map((c) => c.bytes),
      {
        resource: RES,
        action: 'create',
        now: NOW,
        revocations: [revocations],
        trustedIssuers: [device!.publicKey],
      },
    );
  const keyOf = (k: TestKey) => b64u.encode(k.publicKey);
  return {
    device: device!,
    app: app!,
    helper: helper!,
    courier: courier!,
    stranger: stranger!,
    chain: [root, second, third],
    list,
    verify,
    keyOf,
  };
}

describe('the verifier and revoked subjects', () => {
  it('refuses a certificate issued to a revoked subject (ERR_CAP_REVOKED)', async () => {
    const w = await chainWorld();
    const revoked = await w.list([], [w.keyOf(w.app)]);
    expect(await codeOf(() => w.verify(w.chain.slice(0, 1), revoked))).toBe('ERR_CAP_REVOKED');
    // a stranger's key revoked, or nothing: accepted
    const other = await w.list([], [w.keyOf(w.stranger)]);
    expect((await w.verify(w.chain.slice(0, 1), other)).subject).toEqual(w.app.publicKey);
  });

  it('refuses what a revoked subject delegated onward, at any depth', async () => {
    const w = await chainWorld();
    const revokedApp = await w.list([], [w.keyOf(w.app)]);
    // the app is the issuer of the second link and of nothing the holder signs
    expect(await codeOf(() => w.verify(w.chain.slice(0, 2), revokedApp))).toBe('ERR_CAP_REVOKED');
    expect(await codeOf(() => w.verify(w.chain, revokedApp))).toBe('ERR_CAP_REVOKED');
    const revokedHelper = await w.list([], [w.keyOf(w.helper)]);
    expect(await codeOf(() => w.verify(w.chain.slice(0, 2), revokedHelper))).toBe(
      'ERR_CAP_REVOKED',
    );
    expect(await codeOf(() => w.verify(w.chain, revokedHelper))).toBe('ERR_CAP_REVOKED');
    const revokedCourier = await w.list([], [w.keyOf(w.courier)]);
    expect(await codeOf(() => w.verify(w.chain, revokedCourier))).toBe('ERR_CAP_REVOKED');
    // revoking the courier leaves the shorter chain the helper holds in force
    expect((await w.verify(w.chain.slice(0, 2), revokedCourier)).subject).toEqual(
      w.helper.publicKey,
    );
  });

  it("checkRevocations reads a delegation's issuer too, not only the subjects", async () => {
    const w = await chainWorld();
    // Not a linked chain (verifyCertificate would refuse it earlier): the helper appears only as
    // the issuer of the last link, so only the issuer rule can refuse it.
    const [root, , third] = w.chain;
    const list = await w.list([], [w.keyOf(w.helper)]);
    expect(await codeOf(() => checkRevocations([root!, third!], [list], T))).toBe(
      'ERR_CAP_REVOKED',
    );
    const other = await w.list([], [w.keyOf(w.stranger)]);
    expect(checkRevocations([root!, third!], [other], T)).toBeUndefined();
  });

  it('refuses an invocation signed under a revoked subject (verifyCapability)', async () => {
    const w = await chainWorld();
    const invocation = await createInvocation(
      {
        invoker: w.app.publicKey,
        audience: 'https://notes.example',
        resource: RES,
        action: 'create',
        proofs: [w.chain[0]!.id],
        nonce: new Uint8Array(16).fill(9),
      },
      w.app.sign,
      NOW,
    );
    const opts = async (revokedSubjects: string[]) => ({
      certificate: w.chain[0]!.bytes,
      invocation: invocation.bytes,
      expect: { audience: 'https://notes.example', resource: RES, action: 'create' as const },
      now: NOW,
      trustedIssuers: [w.device.publicKey],
      revocations: [await w.list([], revokedSubjects)],
      remember: () => true,
    });
    expect(await codeOf(async () => verifyCapability(await opts([w.keyOf(w.app)])))).toBe(
      'ERR_CAP_REVOKED',
    );
    expect((await verifyCapability(await opts([]))).rootIssuer).toEqual(w.device.publicKey);
  });

  it('is monotonic: a list that revokes more never accepts what a list revoking less refused (property)', async () => {
    const w = await chainWorld();
    const ids = w.chain.map((c) => c.id);
    const keys = [w.app, w.helper, w.courier, w.stranger].map(w.keyOf);
    const subset = <T>(values: readonly T[]) =>
      fc.subarray([...values]).map((picked) => picked as readonly T[]);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        subset(ids),
        subset(keys),
        subset(ids),
        subset(keys),
        async (length, ids1, subs1, extraIds, extraSubs) => {
          const less = await w.list(ids1, subs1);
          const more = await w.list([...ids1, ...extraIds], [...subs1, ...extraSubs]);
          const chain = w.chain.slice(0, length);
          const refusedByLess = await codeOf(() => w.verify(chain, less));
          const refusedByMore = await codeOf(() => w.verify(chain, more));
          if (refusedByLess !== undefined) expect(refusedByMore).toBe(refusedByLess);
          // and what the rule says: refused exactly when a link's id or a key after the root is listed
          const listed =
            chain.some((c) => more.revoked.includes(c.id)) ||
            chain.some((c) => more.revokedSubjects.includes(b64u.encode(c.subject)));
          expect(refusedByMore).toBe(listed ? 'ERR_CAP_REVOKED' : undefined);
        },
      ),
      { numRuns: 40 },
    );
  });
});
