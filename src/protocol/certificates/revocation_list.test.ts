import { describe, expect, it } from 'vitest';
import { codeOfCall as codeOf } from '../../testing/code_of.js';
import { b64u } from '../encoding/index.js';
import { acceptRevocationList } from './accept_revocation_list.js';
import { decodeCanonical, encodeCanonical, type CapValue } from './cbor.js';
import { TAGS } from './envelope.js';
import { parseRevocationList } from './parse_revocation_list.js';
import { signRevocationList } from './sign_revocation_list.js';
import { generateKey } from './test_keys.js';

const NOW = Date.UTC(2026, 11, 3, 9, 0, 0);
const id = (n: number) => b64u.encode(new Uint8Array(32).fill(n));

describe('revocation lists', () => {
  it('round-trip with ids sorted and deduplicated', async () => {
    const device = await generateKey();
    const list = await signRevocationList(
      { issuer: device.publicKey, sequence: 3, revoked: [id(9), id(1), id(9)] },
      device.sign,
      NOW,
    );
    expect(list).toMatchObject({ sequence: 3, issuedAt: NOW / 1000, revoked: [id(1), id(9)] });
    expect((await parseRevocationList(list.bytes, { now: NOW })).id).toBe(list.id);
  });

  it('refuse forgery, tampering, future dates, unsorted ids and oversized lists', async () => {
    const device = await generateKey();
    const list = await signRevocationList(
      { issuer: device.publicKey, sequence: 1, revoked: [id(1), id(2)] },
      device.sign,
      NOW,
    );
    for (let i = 0; i < list.bytes.length; i++) {
      const tampered = list.bytes.slice();
      tampered[i]! ^= 0x01;
      expect(await codeOf(() => parseRevocationList(tampered, { now: NOW })), `byte ${i}`).toMatch(
        /^ERR_CAP_/,
      );
    }
    expect(await codeOf(() => parseRevocationList(list.bytes, { now: NOW - 61_000 }))).toBe(
      'ERR_CAP_NOT_YET_VALID',
    );

    const resign = async (edit: (b: Record<string, CapValue>) => void) => {
      const [, payload] = decodeCanonical(list.bytes, 1e6) as [
        Uint8Array,
        Record<string, Record<string, CapValue>>,
      ];
      const body = { ...payload[TAGS.revocations]! };
      edit(body);
      const signed = encodeCanonical({ [TAGS.revocations]: body });
      return encodeCanonical([await device.sign(signed), { [TAGS.revocations]: body }]);
    };
    const unsorted = await resign(
      (b) => (b.ids = [new Uint8Array(32).fill(2), new Uint8Array(32).fill(1)]),
    );
    expect(await codeOf(() => parseRevocationList(unsorted, { now: NOW }))).toBe(
      'ERR_CAP_MALFORMED',
    );
    const repeated = await resign(
      (b) => (b.ids = [new Uint8Array(32).fill(2), new Uint8Array(32).fill(2)]),
    );
    expect(await codeOf(() => parseRevocationList(repeated, { now: NOW }))).toBe(
      'ERR_CAP_MALFORMED',
    );
    const many = await resign(
      (b) =>
        (b.ids = Array.from({ length: 1001 }, (_, i) =>
          Uint8Array.from({ length: 32 }, (_, j) => (j < 2 ? (i >> (8 * (1 - j))) & 0xff : 0)),
        )),
    );
    expect(await codeOf(() => parseRevocationList(many, { now: NOW }))).toBe('ERR_CAP_TOO_LARGE');
    expect(await codeOf(() => parseRevocationList(new Uint8Array(40_001), { now: NOW }))).toBe(
      'ERR_CAP_TOO_LARGE',
    );
  });

  it('only move forward: rollback and two lists under one number are refused', async () => {
    const device = await generateKey();
    const sign = (sequence: number, revoked: string[], at = NOW) =>
      signRevocationList({ issuer: device.publicKey, sequence, revoked }, device.sign, at);
    const v1 = await sign(1, [id(1)]);
    const v2 = await sign(2, [id(1), id(2)]);
    expect(acceptRevocationList(device.publicKey, undefined, v1)).toBe(v1);
    expect(acceptRevocationList(device.publicKey, v1, v2)).toBe(v2);
    expect(await codeOf(() => acceptRevocationList(device.publicKey, v2, v1))).toBe(
      'ERR_CAP_REVOCATIONS_ROLLBACK',
    );
    const conflicting = await sign(2, [id(3)]);
    expect(await codeOf(() => acceptRevocationList(device.publicKey, v2, conflicting))).toBe(
      'ERR_CAP_REVOCATIONS_ROLLBACK',
    );
    // The same list re-signed later refreshes it; an older copy does not replace a newer one.
    const later = await sign(2, [id(1), id(2)], NOW + 120_000);
    expect(acceptRevocationList(device.publicKey, v2, later)).toBe(later);
    expect(acceptRevocationList(device.publicKey, later, v2)).toBe(later);
    const other = await generateKey();
    const foreign = await signRevocationList(
      { issuer: other.publicKey, sequence: 9, revoked: [] },
      other.sign,
      NOW,
    );
    expect(await codeOf(() => acceptRevocationList(device.publicKey, v2, foreign))).toBe(
      'ERR_CAP_UNTRUSTED_ISSUER',
    );
    expect(await codeOf(() => acceptRevocationList(device.publicKey, undefined, foreign))).toBe(
      'ERR_CAP_UNTRUSTED_ISSUER',
    );
  });
});
