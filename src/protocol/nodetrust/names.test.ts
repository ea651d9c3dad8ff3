import { describe, expect, it } from 'vitest';
import { isDiscoError } from '../errors/index.js';
import {
  addressLabel,
  classifyName,
  fullName,
  normalizeZone,
  parseLabel,
  peerLabel,
} from './names.js';
import { peerIdOfEd25519 } from './peer_id.js';

const peer = peerIdOfEd25519(new Uint8Array(32).fill(7));
const ZONE = 'nt.disco.test';

describe('nodetrust names', () => {
  it("answers the seed's examples", () => {
    expect(parseLabel('ip4127-0-0-1')).toEqual({ kind: 'ip4', address: '127.0.0.1' });
    expect(parseLabel('ip6--1')).toEqual({ kind: 'ip6', address: '::1' });
  });

  it('writes one canonical label per address, within 63 characters', () => {
    expect(addressLabel('10.0.0.255')).toBe('ip410-0-0-255');
    expect(addressLabel('::ffff:192.0.2.1')).toBe('ip4192-0-2-1');
    expect(addressLabel('2001:DB8:0:0:0:0:0:1')).toBe('ip62001-db8--1');
    expect(addressLabel('2001:db8::')).toBe('ip62001-db8--0'); // a label cannot end in '-'
    expect(parseLabel('ip62001-db8--0')).toEqual({ kind: 'ip6', address: '2001:db8::' });
    const longest = addressLabel('1234:5678:9abc:def0:1234:5678:9abc:def0');
    expect(longest.length).toBeLessThanOrEqual(63);
    expect(parseLabel(longest)?.kind).toBe('ip6');
  });

  it('names a peer p + base32 of its id (62 characters)', () => {
    const label = peerLabel(peer);
    expect(label).toHaveLength(62);
    expect(parseLabel(label)).toEqual({ kind: 'peer', peer });
    expect(fullName({ kind: 'peer', peer }, 'NT.Disco.Test.')).toBe(`${label}.${ZONE}`);
  });

  it('refuses bad and non-canonical labels', () => {
    for (const label of [
      'ip4256-0-0-1',
      'ip4127-00-0-1',
      'ip4127-0-0',
      'ip4127-0-0-1-',
      'ip61--',
      'ip6--0-1', // ::1 written the long way
      'ip6--ffff-7f00-1', // v4-mapped: that address has an ip4 name
      'ip6g--1',
      'p' + 'a'.repeat(61),
      `${peerLabel(peer)}x`,
      'www',
      '',
      'a'.repeat(64),
    ]) {
      expect(parseLabel(label), label).toBeUndefined();
    }
    expect(
      isDiscoError(
        catchOf(() => addressLabel('localhost')),
        'ERR_NODETRUST_NAME_INVALID',
      ),
    ).toBe(true);
    expect(
      isDiscoError(
        catchOf(() => normalizeZone('bad_zone.test')),
        'ERR_NODETRUST_NAME_INVALID',
      ),
    ).toBe(true);
  });

  it('classifies names in and out of the zone', () => {
    expect(classifyName('NT.disco.test.', ZONE)).toEqual({ kind: 'apex' });
    expect(classifyName('example.com', ZONE)).toEqual({ kind: 'outside' });
    expect(classifyName('xnt.disco.test', ZONE)).toEqual({ kind: 'outside' });
    expect(classifyName('ns.nt.disco.test', ZONE, ['ns'])).toEqual({ kind: 'host', label: 'ns' });
    expect(classifyName('IP4127-0-0-1.nt.disco.test', ZONE)).toEqual({
      kind: 'node',
      name: { kind: 'ip4', address: '127.0.0.1' },
    });
    expect(classifyName(`_acme-challenge.ip6--1.${ZONE}`, ZONE)).toEqual({
      kind: 'acme',
      target: `ip6--1.${ZONE}`,
      name: { kind: 'ip6', address: '::1' },
    });
    expect(classifyName(`_acme-challenge.www.${ZONE}`, ZONE)).toEqual({ kind: 'none' });
    expect(classifyName(`a.ip4127-0-0-1.${ZONE}`, ZONE)).toEqual({ kind: 'none' });
  });

  it('classifies relay record names: only under a peer name', () => {
    const peer = peerIdOfEd25519(new Uint8Array(32).fill(3));
    const where = classifyName(`_DISCO-relay.${peerLabel(peer)}.${ZONE}`, ZONE);
    expect(where.kind).toBe('relay');
    expect(where.kind === 'relay' && where.peer.text).toBe(peer.text);
    expect(where.kind === 'relay' && where.target).toBe(`${peerLabel(peer)}.${ZONE}`);
    expect(classifyName(`_disco-relay.ip4127-0-0-1.${ZONE}`, ZONE)).toEqual({ kind: 'none' });
    expect(classifyName(`_disco-relay.${ZONE}`, ZONE)).toEqual({ kind: 'none' });
  });
});

function catchOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}
