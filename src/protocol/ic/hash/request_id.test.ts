/**
 * Vectors:
 * - The interface specification's request-id example (§Request ids), with its intermediate hashes:
 *   dfinity/interface-spec, spec/index.md, commit b7cbca243f527b6819a0b0f644f87366a47d3eb4.
 * - LEB128 examples from §Representation-independent hashing (same file).
 * - agent-js packages/agent/src/request_id.test.ts, commit e1a1d93aef4b10389f934d04a34e70d924a49268:
 *   the same request without sender/ingress_expiry, and a delegation map ("what replica wants").
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { Principal } from '../principal/index.js';
import {
  hashValue,
  lebEncode,
  type HashableValue,
  requestIdOf,
  requestIdToText,
  slebEncode,
} from './index.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const fromHex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));
const utf8 = (text: string) => new TextEncoder().encode(text);

const specRequest = {
  request_type: 'call',
  sender: new Uint8Array([0x04]),
  ingress_expiry: 1685570400000000000n,
  canister_id: fromHex('00000000000004d2'),
  method_name: 'hello',
  arg: new Uint8Array([...utf8('DIDL'), 0x00, 0xfd, 0x2a]),
};

describe('representation-independent hash (interface spec §hash-of-map)', () => {
  it('matches the spec request-id example', () => {
    expect(hex(requestIdOf(specRequest))).toBe(
      '1d1091364d6bb8a6c16b203ee75467d59ead468f523eb058880ae8ec80e2b101',
    );
    expect(requestIdToText(requestIdOf(specRequest))).toBe(
      '0x1d1091364d6bb8a6c16b203ee75467d59ead468f523eb058880ae8ec80e2b101',
    );
  });

  it('matches the spec intermediate value hashes', () => {
    expect(hex(hashValue('call'))).toBe(
      '7edb360f06acaef2cc80dba16cf563f199d347db4443da04da0c8173e3f9e4ed',
    );
    expect(hex(hashValue(new Uint8Array([0x04])))).toBe(
      'e52d9c508c502347344d8c07ad91cbd6068afc75ff6292f062a09ca381c89e71',
    );
    expect(hex(hashValue(1685570400000000000n))).toBe(
      'db8e57abc8cda1525d45fdd2637af091bc1f28b35819a40df71517d1501f2c76',
    );
    expect(hex(hashValue(specRequest.arg))).toBe(
      '6c0b2ae49718f6995c02ac5700c9c789d7b7862a0d53e6d40a73f1fcd2f70189',
    );
  });

  it('skips omitted fields (agent-js vector without sender and ingress_expiry)', () => {
    const rest: Record<string, HashableValue> = { ...specRequest };
    delete rest.sender;
    delete rest.ingress_expiry;
    expect(hex(requestIdOf(rest))).toBe(
      '8781291c347db32a9d8c10eb62b710fce5a93be676474c42babc74c51858f94b',
    );
    expect(hex(requestIdOf({ ...rest, sender: undefined }))).toBe(hex(requestIdOf(rest)));
  });

  it('hashes a delegation with targets as the replica does (agent-js vector)', () => {
    const targets = [fromHex('000000000030004d0101'), fromHex('000000000020002b0101')];
    const delegation = {
      expiration: 1611365875951000000n,
      pubkey: fromHex(
        '302a300506032b6570032100819d9fe3ac251039f934cdc925da0b019848af9d650d4136fb5d955cff17f78e',
      ),
      targets,
    };
    const expected = 'f0c66015041eccb5528fc7fd817bb4d0707369d7e1383d3cdaa074b2b2236824';
    expect(hex(requestIdOf(delegation))).toBe(expected);
    const withPrincipals = {
      ...delegation,
      targets: targets.map((t) => Principal.fromUint8Array(t)),
    };
    expect(hex(requestIdOf(withPrincipals))).toBe(expected);
  });

  it('hashes nested maps recursively (spec §hash-of-map example, by its formula)', () => {
    const inner = sha256(new Uint8Array([...sha256(utf8('arg')), ...sha256(utf8('DIDL\x00\x00'))]));
    const outer = sha256(new Uint8Array([...sha256(utf8('reply')), ...inner]));
    expect(requestIdOf({ reply: { arg: utf8('DIDL\x00\x00') } })).toEqual(outer);
  });

  it('encodes LEB128 as the spec examples', () => {
    expect(hex(lebEncode(0n))).toBe('00');
    expect(hex(lebEncode(624485n))).toBe('e58e26');
    expect(hex(slebEncode(0n))).toBe('00');
    expect(hex(slebEncode(-123456n))).toBe('c0bb78');
  });
});
