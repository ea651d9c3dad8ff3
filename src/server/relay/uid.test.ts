import { describe, expect, it } from 'vitest';
import { displayUid, newUid, parseUid, UID_ALPHABET, uidTag } from './uid.js';

describe('uid', () => {
  it('writes 40 bits as 8 Crockford base32 characters', () => {
    expect(newUid(() => new Uint8Array(5))).toBe('00000000');
    expect(newUid(() => new Uint8Array(5).fill(0xff))).toBe('ZZZZZZZZ');
    // 0x0123456789 = 00000 00100 10001 10100 01010 11001 11100 01001 = 0 4 H M A S W 9
    expect(newUid(() => Uint8Array.of(0x01, 0x23, 0x45, 0x67, 0x89))).toBe('04HMASW9');
    expect(() => newUid(() => new Uint8Array(4))).toThrow(RangeError);
  });

  it('never uses I, L, O or U, and shows XXXX-XXXX', () => {
    expect(UID_ALPHABET).toHaveLength(32);
    expect(UID_ALPHABET).not.toMatch(/[ILOU]/);
    const uid = newUid((n) => crypto.getRandomValues(new Uint8Array(n)));
    expect(displayUid(uid)).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  });

  it('reads what people type', () => {
    expect(parseUid('04HM-AST9')).toBe('04HMAST9');
    expect(parseUid(' o4hm ast9 ')).toBe('04HMAST9');
    expect(parseUid('0IL1-0000')).toBe('01110000');
    expect(parseUid('04HM-ASTU')).toBeNull();
    expect(parseUid('04HM-AST')).toBeNull();
    expect(parseUid('04HM-AST99')).toBeNull();
    expect(parseUid(12345678)).toBeNull();
    expect(parseUid('x'.repeat(100))).toBeNull();
  });

  it('tags uids for logs without revealing them', () => {
    expect(uidTag('04HMAST9')).toHaveLength(12);
    expect(uidTag('04HMAST9')).not.toContain('04HM');
    expect(uidTag('04HMAST9')).toBe(uidTag('04HMAST9'));
  });
});
