import ipaddr from 'ipaddr.js';
import { DiscoError } from '../errors/index.js';
import { parsePeerId, peerIdToBase32, type PeerId } from './peer_id.js';

/**
 * The names the nodetrust DNS server answers under its zone (seed: "DNS2IP" and "ID0"):
 * - `ip4<a-b-c-d>.<zone>` → A a.b.c.d (decimal, no leading zeros);
 * - `ip6<RFC 5952 text with ':' → '-'>.<zone>` → AAAA, with a `0` appended when the text ends
 *   in `::` (a label may not end with '-'); the seed's `ip6--1` is `::1`;
 * - `p<base32 of the peer id multihash>.<zone>` → TXT `id=<peer id>` (62 characters: fits the
 *   63 of a label, RFC 1035 §2.3.4);
 * - `_acme-challenge.<one of the above>` → the ACME DNS-01 TXT records (RFC 8555 §8.4);
 * - `_disco-relay.p<…>` → TXT: the relay's signed discovery record (`relay_record.ts`).
 * Only the canonical spelling of each name exists, so one address or peer has exactly one name
 * (DNS compares case-insensitively: names are lower-cased first).
 */
export type NodetrustName =
  | { kind: 'ip4'; address: string }
  | { kind: 'ip6'; address: string }
  | { kind: 'peer'; peer: PeerId };

export type ZoneName =
  | { kind: 'outside' }
  | { kind: 'apex' }
  | { kind: 'host'; label: string }
  | { kind: 'node'; name: NodetrustName }
  | { kind: 'acme'; target: string; name: NodetrustName }
  | { kind: 'relay'; target: string; peer: PeerId }
  | { kind: 'none' };

export const ACME_CHALLENGE_LABEL = '_acme-challenge';
/** `_disco-relay.p<peer>`: a relay's signed discovery record (relay_record.ts). */
export const RELAY_RECORD_LABEL = '_disco-relay';
const LDH_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** True for an RFC 1123 §2.1 host label (letters, digits, inner hyphens, 1–63 characters). */
export function isHostLabel(label: string): boolean {
  return LDH_LABEL.test(label);
}

/** A zone in normal form (lower case, no final dot); ERR_NODETRUST_NAME_INVALID otherwise. */
export function normalizeZone(zone: string): string {
  const normal = zone.toLowerCase().replace(/\.$/, '');
  if (normal.length === 0 || normal.length > 200 || !normal.split('.').every(isHostLabel)) {
    throw new DiscoError('ERR_NODETRUST_NAME_INVALID', 'not a DNS zone');
  }
  return normal;
}

export function peerLabel(peer: PeerId): string {
  return `p${peerIdToBase32(peer)}`;
}

/** The A/AAAA label of an IP address in text form; ERR_NODETRUST_NAME_INVALID if it is none. */
export function addressLabel(address: string): string {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch (cause) {
    throw new DiscoError('ERR_NODETRUST_NAME_INVALID', 'not an IP address', { cause });
  }
  if (parsed.kind() === 'ipv4') return `ip4${parsed.toString().replaceAll('.', '-')}`;
  const ip6 = parsed as ipaddr.IPv6;
  if (ip6.isIPv4MappedAddress()) return addressLabel(ip6.toIPv4Address().toString());
  const dashed = ip6.toRFC5952String().replaceAll(':', '-');
  return `ip6${dashed.endsWith('-') ? `${dashed}0` : dashed}`;
}

/** The label of a nodetrust name. */
export function labelOf(name: NodetrustName): string {
  return name.kind === 'peer' ? peerLabel(name.peer) : addressLabel(name.address);
}

/** The full name (`<label>.<zone>`) of a nodetrust name. */
export function fullName(name: NodetrustName, zone: string): string {
  return `${labelOf(name)}.${normalizeZone(zone)}`;
}

/** Reads one label as a nodetrust name; undefined unless it is one, in canonical form. */
export function parseLabel(label: string): NodetrustName | undefined {
  if (!isHostLabel(label)) return undefined;
  let name: NodetrustName;
  if (label.startsWith('ip4')) {
    const text = label.slice(3).replaceAll('-', '.');
    if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
    name = { kind: 'ip4', address: ipaddr.IPv4.parse(text).toString() };
  } else if (label.startsWith('ip6')) {
    const text = label.slice(3).replaceAll('-', ':');
    if (!ipaddr.IPv6.isValid(text) || text.includes('%')) return undefined;
    const parsed = ipaddr.IPv6.parse(text);
    if (parsed.isIPv4MappedAddress()) return undefined; // those are ip4 names
    name = { kind: 'ip6', address: parsed.toRFC5952String() };
  } else if (label.startsWith('p')) {
    try {
      name = { kind: 'peer', peer: parsePeerId(label.slice(1)) };
    } catch {
      return undefined;
    }
    if (label.slice(1) !== peerIdToBase32(name.peer)) return undefined;
  } else {
    return undefined;
  }
  return labelOf(name) === label ? name : undefined;
}

/**
 * Places a queried name in `zone` (already normal): outside it, its apex, one of `hosts` (like
 * `ns`), a nodetrust name, an `_acme-challenge` name of one, or nothing (NXDOMAIN).
 */
export function classifyName(query: string, zone: string, hosts: readonly string[] = []): ZoneName {
  const name = query.toLowerCase().replace(/\.$/, '');
  if (name === zone) return { kind: 'apex' };
  if (!name.endsWith(`.${zone}`)) return { kind: 'outside' };
  const labels = name.slice(0, -zone.length - 1).split('.');
  const [first, second] = labels;
  if (labels.length === 1 && first !== undefined) {
    if (hosts.includes(first)) return { kind: 'host', label: first };
    const node = parseLabel(first);
    return node ? { kind: 'node', name: node } : { kind: 'none' };
  }
  if (labels.length === 2 && first === ACME_CHALLENGE_LABEL && second !== undefined) {
    const node = parseLabel(second);
    if (node) return { kind: 'acme', target: `${second}.${zone}`, name: node };
  }
  if (labels.length === 2 && first === RELAY_RECORD_LABEL && second !== undefined) {
    const node = parseLabel(second);
    if (node?.kind === 'peer')
      return { kind: 'relay', target: `${second}.${zone}`, peer: node.peer };
  }
  return { kind: 'none' };
}
