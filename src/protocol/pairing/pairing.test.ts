import { describe, expect, it } from 'vitest';
import { normaliseUid, parsePairingCode } from './pairing.js';
import { isDiscoError } from '../errors/index.js';

describe('pairing codes', () => {
  it('normalises what people type', () => {
    expect(normaliseUid('k7qf2m4d')).toBe('K7QF-2M4D');
    expect(normaliseUid(' K7QF-2M4D ')).toBe('K7QF-2M4D');
    expect(normaliseUid('ioLo 0000')).toBe('1010-0000');
  });
  it.each(['', 'K7QF-2M4', 'K7QF-2M4DX', 'K7QF-2M4U', '<script>', 'K7QF--2M4D'])(
    'refuses %j',
    (bad) => {
      expect(() => normaliseUid(bad)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
      );
    },
  );
  it('reads web+disco: and https links with the certificate thumbprint', () => {
    const x5t = 'A'.repeat(43);
    expect(
      parsePairingCode(`web+disco:pair?uid=k7qf-2m4d&x5t=${x5t}&relay=http://127.0.0.1:8711`),
    ).toEqual({
      uid: 'K7QF-2M4D',
      thumbprint: x5t,
      relay: 'http://127.0.0.1:8711',
    });
    expect(parsePairingCode(`https://disco.example/#/connect?uid=K7QF2M4D`)).toEqual({
      uid: 'K7QF-2M4D',
    });
    expect(parsePairingCode('K7QF 2M4D')).toEqual({ uid: 'K7QF-2M4D' });
  });
  it('refuses damaged links', () => {
    for (const bad of [
      'web+disco:pair?x5t=abc',
      `web+disco:pair?uid=K7QF2M4D&x5t=short`,
      'https://[bad',
    ]) {
      let err: unknown;
      try {
        parsePairingCode(bad);
      } catch (e) {
        err = e;
      }
      expect(isDiscoError(err, 'ERR_INVALID_INPUT')).toBe(true);
    }
  });
});
