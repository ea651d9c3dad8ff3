import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOfCall as codeOf } from '../../testing/code_of.js';
import { b64u } from '../encoding/index.js';
import { isDiscoError } from '../errors/index.js';
import { acceptRevocationList } from './accept_revocation_list.js';
import { CAPABILITY_LIMITS } from './limits.js';
import {
  cachedListOf,
  checkPublishedList,
  compareCachedLists,
  listOfBody,
  peerIdOfIssuer,
  relayRevocationsUrl,
  type CachedRevocationList,
} from './revocation_cache.js';
import { signRevocationList } from './sign_revocation_list.js';
import { generateKey } from './test_keys.js';

const NOW = Date.UTC(2026, 11, 3, 9, 0, 0);
const id = (n: number) => b64u.encode(new Uint8Array(32).fill(n));

const entry = (sequence: number, issuedAt: number, ids = 'A'): CachedRevocationList => ({
  sequence,
  issuedAt,
  ids,
  list: `${sequence}.${issuedAt}.${ids}`,
});

describe('compareCachedLists (the relay cache rule)', () => {
  it('stores a first list, a higher sequence and a later re-signature; refuses going back', () => {
    expect(compareCachedLists(undefined, entry(0, 10))).toBe('store');
    expect(compareCachedLists(entry(1, 10), entry(2, 5, 'B'))).toBe('store');
    expect(compareCachedLists(entry(1, 10), entry(1, 11))).toBe('store');
    expect(compareCachedLists(entry(1, 10), entry(1, 10))).toBe('keep');
    expect(compareCachedLists(entry(1, 10), entry(1, 9))).toBe('keep');
    expect(compareCachedLists(entry(2, 10), entry(1, 99))).toBe('rollback');
    expect(compareCachedLists(entry(1, 10), entry(1, 11, 'B'))).toBe('conflict');
  });

  it('decides as acceptRevocationList does, on random lists of one device', async () => {
    const device = await generateKey();
    const lists = new Map<string, Awaited<ReturnType<typeof signRevocationList>>>();
    const sign = async (sequence: number, at: number, ids: number[]) => {
      const key = `${sequence}/${at}/${ids.join(',')}`;
      let list = lists.get(key);
      if (!list) {
        list = await signRevocationList(
          { issuer: device.publicKey, sequence, revoked: ids.map(id) },
          device.sign,
          NOW + at * 1000,
        );
        lists.set(key, list);
      }
      return list;
    };
    const arbList = fc.record({
      sequence: fc.integer({ min: 0, max: 3 }),
      at: fc.integer({ min: 0, max: 3 }),
      ids: fc.uniqueArray(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    });
    await fc.assert(
      fc.asyncProperty(arbList, arbList, async (a, b) => {
        const current = await sign(a.sequence, a.at, a.ids);
        const incoming = await sign(b.sequence, b.at, b.ids);
        const decision = compareCachedLists(
          await cachedListOf(current),
          await cachedListOf(incoming),
        );
        let kept;
        try {
          kept = acceptRevocationList(device.publicKey, current, incoming);
        } catch (err) {
          expect(['rollback', 'conflict']).toContain(decision);
          expect(isDiscoError(err) && err.code).toBe('ERR_CAP_REVOCATIONS_ROLLBACK');
          return;
        }
        // acceptRevocationList keeps `current` on a tie; the cache does the same ('keep')
        expect(decision).toBe(kept === incoming && kept !== current ? 'store' : 'keep');
      }),
      { numRuns: 150, seed: 8 },
    );
  });
});

describe('checkPublishedList', () => {
  it("takes a list signed by the device whose peer id names it, and refuses another device's", async () => {
    const device = await generateKey();
    const other = await generateKey();
    const peer = await peerIdOfIssuer(device.publicKey);
    expect(peer).toMatch(/^disco-[0-9a-f]{32}$/);
    const list = await signRevocationList(
      { issuer: device.publicKey, sequence: 4, revoked: [id(2), id(1)] },
      device.sign,
      NOW,
    );
    const { entry: got } = await checkPublishedList(list.bytes, peer, { now: NOW });
    expect(got).toMatchObject({ sequence: 4, issuedAt: NOW / 1000, list: b64u.encode(list.bytes) });
    expect(got.ids).toMatch(/^[\w-]{43}$/);

    const theirs = await signRevocationList(
      { issuer: other.publicKey, sequence: 9, revoked: [] },
      other.sign,
      NOW,
    );
    expect(await codeOf(() => checkPublishedList(theirs.bytes, peer, { now: NOW }))).toBe(
      'ERR_CAP_UNTRUSTED_ISSUER',
    );
    const tampered = list.bytes.slice();
    tampered[tampered.length - 1]! ^= 1;
    expect(await codeOf(() => checkPublishedList(tampered, peer, { now: NOW }))).toMatch(
      /^ERR_CAP_(SIGNATURE_INVALID|MALFORMED|NON_CANONICAL)$/,
    );
    const big = new Uint8Array(CAPABILITY_LIMITS.maxRevocationListBytes + 1);
    expect(await codeOf(() => checkPublishedList(big, peer, { now: NOW }))).toBe(
      'ERR_CAP_TOO_LARGE',
    );
  });

  it('gives the same ids digest for the same set, another for another', async () => {
    const device = await generateKey();
    const at = (t: number, ids: string[]) =>
      signRevocationList({ issuer: device.publicKey, sequence: 1, revoked: ids }, device.sign, t);
    const a = await cachedListOf(await at(NOW, [id(1), id(2)]));
    const b = await cachedListOf(await at(NOW + 5000, [id(2), id(1)]));
    const c = await cachedListOf(await at(NOW, [id(1)]));
    expect(a.ids).toBe(b.ids);
    expect(a.ids).not.toBe(c.ids);
  });
});

describe('listOfBody and relayRevocationsUrl', () => {
  it('reads { list } and nothing else', async () => {
    expect(listOfBody({ list: 'AQID' })).toEqual(new Uint8Array([1, 2, 3]));
    for (const body of [null, 'AQID', [], {}, { list: 1 }, { list: 'AQID', x: 1 }, { list: '@' }])
      expect(await codeOf(() => listOfBody(body))).toBe('ERR_CAP_MALFORMED');
    expect(await codeOf(() => listOfBody({ list: 'A'.repeat(60_000) }))).toBe('ERR_CAP_TOO_LARGE');
  });

  it('names the cache of a peer, and only of a peer id', async () => {
    const peer = `disco-${'0a'.repeat(16)}`;
    expect(relayRevocationsUrl('https://relay.example/', peer)).toBe(
      `https://relay.example/capability/revocations/${peer}`,
    );
    expect(await codeOf(() => relayRevocationsUrl('https://relay.example', '../uid'))).toBe(
      'ERR_CAP_MALFORMED',
    );
  });
});
