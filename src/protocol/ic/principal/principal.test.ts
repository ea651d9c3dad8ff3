/**
 * Vectors:
 * - interface spec §Textual representation of principals: 0xABCD01 ↔ em77e-bvlzu-aq
 *   (dfinity/interface-spec spec/index.md, commit b7cbca243f527b6819a0b0f644f87366a47d3eb4).
 * - agent-js packages/principal/src/principal.test.ts (commit e1a1d93aef4b10389f934d04a34e70d924a49268):
 *   efcdab000000000001, aaaaa-aa, 2vxsx-fae, and the broken-checksum texts.
 * - internet-identity src/sig-verifier-js/src/lib.rs (commit 0e2dbae525a055902a7f566494b2091aacd86e1a):
 *   a mainnet II user key and its self-authenticating principal.
 */
import { describe, expect, it } from 'vitest';
import { isDiscoError } from '../../errors/index.js';
import { Principal } from './index.js';

const fromHex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isDiscoError(err) ? err.code : 'not a DiscoError';
  }
  return undefined;
}

describe('Principal (interface spec §Principals)', () => {
  it('encodes and parses the published texts', () => {
    const cases: Array<[string, string]> = [
      ['abcd01', 'em77e-bvlzu-aq'],
      ['efcdab000000000001', '2chl6-4hpzw-vqaaa-aaaaa-c'],
      ['', 'aaaaa-aa'],
      ['04', '2vxsx-fae'],
    ];
    for (const [bytes, text] of cases) {
      expect(Principal.fromUint8Array(fromHex(bytes)).toText()).toBe(text);
      expect(hex(Principal.fromText(text).toUint8Array())).toBe(bytes);
      expect(hex(Principal.fromText(text.toUpperCase()).toUint8Array())).toBe(bytes);
    }
    expect(Principal.anonymous().toText()).toBe('2vxsx-fae');
    expect(Principal.anonymous().isAnonymous()).toBe(true);
    expect(Principal.managementCanister().toText()).toBe('aaaaa-aa');
  });

  it('derives the self-authenticating id of a DER key (a mainnet II user)', () => {
    const der = fromHex(
      '303c300c060a2b0601040183b8430102032c000a00000000006000270101f3ffab2278616508ad5ebfa0cb79a21e08dbb7132f6875b95f81e72067f31302',
    );
    expect(Principal.selfAuthenticating(der).toText()).toBe(
      'hf7wk-a35mp-bc6eb-ntvr2-aeu3d-naglw-n6ea3-qn5ps-jcanu-p2vro-5ae',
    );
  });

  it('refuses wrong checksums, characters, groups and lengths', () => {
    for (const text of [
      '0chl6-4hpzw-vqaaa-aaaaa-c',
      '0aaaa-aa',
      '0vxsx-fae',
      'Hello world!',
      '2vxsxfae',
      '2vxs-xfae',
      '-2vxsx-fae',
      '',
      'a'.repeat(64),
    ]) {
      expect(code(() => Principal.fromText(text))).toBe('ERR_IC_PRINCIPAL_INVALID');
    }
    expect(code(() => Principal.fromUint8Array(new Uint8Array(30)))).toBe(
      'ERR_IC_PRINCIPAL_INVALID',
    );
  });

  it('is immutable and orders byte-wise', () => {
    const p = Principal.fromUint8Array(fromHex('abcd01'));
    p.toUint8Array()[0] = 0;
    expect(p.toText()).toBe('em77e-bvlzu-aq');
    expect(Principal.compare(Principal.fromUint8Array(fromHex('01')), p)).toBeLessThan(0);
    expect(Principal.compare(Principal.fromUint8Array(fromHex('ab')), p)).toBeLessThan(0);
    expect(p.equals(Principal.fromText('em77e-bvlzu-aq'))).toBe(true);
  });
});
