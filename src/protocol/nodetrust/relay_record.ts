import { sha256 } from '@noble/hashes/sha2.js';
import { DiscoError } from '../errors/index.js';
import { addressLabel, labelOf, parseLabel, peerLabel, RELAY_RECORD_LABEL } from './names.js';
import { parsePeerId, type PeerId } from './peer_id.js';
import {
  claim,
  DOMAINS,
  openDocument,
  signDocument,
  verifyDocument,
  type Signer,
} from './signed_document.js';

/**
 * A relay's signed discovery record (issue #10: "it publishes a signed record of itself (peer id,
 * addresses, name) that devices can check, as the seed's discovery broadcast does"). The seed
 * broadcast its PeerInfo on a pubsub channel; Disco has no pubsub, so the relay publishes the
 * record in the nodetrust DNS zone, as TXT at `_disco-relay.p<base32 peer id>.<zone>`, where anyone
 * who knows the relay's peer id finds it with an ordinary resolver (docs/wire/nodetrust.md,
 * "Relay discovery record"). The record is self-authenticating: signed by the key of the peer id
 * it is filed under, so the DNS server needs no shared secret to accept it and a reader trusts the
 * signature, not the DNS server.
 */
export { RELAY_RECORD_LABEL };
/** Longest record (base64url characters): its TXT answer then fits one EDNS UDP message (1232). */
export const MAX_RELAY_RECORD_CHARS = 1_000;
/** Longest validity a record may claim; the relay republishes well before. */
export const MAX_RELAY_RECORD_SECONDS = 86_400;
const SKEW_SECONDS = 30;
const MAX_NAMES = 4;
const MAX_ADDRESSES = 4;
const TYPE = 'nodetrust-relay/1';

export interface RelayRecord {
  /** The relay's identity: the record is signed by its key. */
  readonly peer: PeerId;
  /** Where the relay serves HTTPS and WSS (`https://<one of names>[:port]`). */
  readonly url: string;
  /** The dNSNames of its certificate: its `p` name and its `ip4`/`ip6` names, one zone. */
  readonly names: readonly string[];
  /** The IP addresses those `ip` names stand for. */
  readonly addresses: readonly string[];
  /** SHA-256 of the DER of the certificate the relay serves at `url` (its leaf). */
  readonly certificateSha256: Uint8Array;
  /** Seconds since the epoch. */
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export type RelayRecordContent = Omit<RelayRecord, 'peer' | 'issuedAt' | 'expiresAt'>;

/** `_disco-relay.p<base32 peer id>.<zone>`: where a relay's record lives in DNS. */
export function relayRecordName(peer: PeerId, zone: string): string {
  return `${RELAY_RECORD_LABEL}.${peerLabel(peer)}.${zone}`;
}

/** Signs the record of the relay `signer` for `validitySeconds` from `nowMs`. */
export async function createRelayRecord(
  signer: Signer,
  content: RelayRecordContent,
  nowMs: number,
  validitySeconds = 3_600,
): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  const token = await signDocument(
    DOMAINS.relay,
    {
      typ: TYPE,
      sub: signer.peer.text,
      url: content.url,
      names: [...content.names],
      addrs: [...content.addresses],
      cert: content.certificateSha256,
      iat,
      exp: iat + Math.min(validitySeconds, MAX_RELAY_RECORD_SECONDS),
    },
    signer,
  );
  if (token.length > MAX_RELAY_RECORD_CHARS) {
    throw new DiscoError('ERR_TOO_LARGE', 'relay record: too large');
  }
  return token;
}

export interface VerifyRelayRecordOptions {
  readonly nowMs: number;
  /** The relay the reader looked for: a record signed by any other key is refused. */
  readonly peer?: PeerId;
  /** The nodetrust zone the names must be in. */
  readonly zone?: string;
}

/** The names share one zone, each is a canonical nodetrust name, and the peer's is among them. */
function checkNames(names: readonly string[], peer: PeerId, zone: string | undefined): void {
  const zones = new Set(names.map((n) => n.slice(n.indexOf('.') + 1)));
  const [only] = zones;
  const labelsOk = names.every((n) => {
    const label = n.slice(0, n.indexOf('.'));
    const parsed = parseLabel(label);
    return parsed !== undefined && labelOf(parsed) === label;
  });
  if (zones.size !== 1 || !only || !labelsOk || (zone !== undefined && only !== zone)) {
    throw new DiscoError('ERR_NODETRUST_NAME_INVALID', 'relay record: names');
  }
  if (!names.includes(`${peerLabel(peer)}.${only}`)) {
    throw new DiscoError('ERR_NODETRUST_NAME_INVALID', 'relay record: no name for its peer');
  }
}

/**
 * Verifies a relay record (docs/wire/nodetrust.md, "Relay discovery record"), in this order:
 * at most MAX_RELAY_RECORD_CHARS (ERR_TOO_LARGE); decodes (ERR_NODETRUST_MALFORMED); signed by
 * `options.peer` when given (ERR_NODETRUST_RECORD_PEER); the signature verifies with the key of
 * its `sub` (ERR_NODETRUST_SIGNATURE_INVALID: tampered); names and URL are nodetrust names of one
 * zone covering the relay's own (ERR_NODETRUST_NAME_INVALID); within its window
 * (ERR_NODETRUST_RECORD_EXPIRED). Signature before content: nothing unsigned is interpreted.
 */
export async function verifyRelayRecord(
  token: unknown,
  options: VerifyRelayRecordOptions,
): Promise<RelayRecord> {
  if (typeof token === 'string' && token.length > MAX_RELAY_RECORD_CHARS) {
    throw new DiscoError('ERR_TOO_LARGE', 'relay record: too large');
  }
  const doc = openDocument(token);
  if (doc.claims.typ !== TYPE) throw new DiscoError('ERR_NODETRUST_MALFORMED', 'relay record: typ');
  const peer = parsePeerId(claim.text(doc.claims, 'sub', 80));
  if (options.peer && options.peer.text !== peer.text) {
    throw new DiscoError('ERR_NODETRUST_RECORD_PEER', 'relay record: signed by another relay');
  }
  if (!(await verifyDocument(doc, DOMAINS.relay, peer))) {
    throw new DiscoError('ERR_NODETRUST_SIGNATURE_INVALID', 'relay record: bad signature');
  }
  const names = claim.texts(doc.claims, 'names', MAX_NAMES, 253).map((n) => n.toLowerCase());
  checkNames(names, peer, options.zone);
  const url = claim.text(doc.claims, 'url', 300);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (
    parsed?.protocol !== 'https:' ||
    !names.includes(parsed.hostname) ||
    parsed.pathname !== '/'
  ) {
    throw new DiscoError('ERR_NODETRUST_NAME_INVALID', 'relay record: url');
  }
  const addresses = claim.texts(doc.claims, 'addrs', MAX_ADDRESSES, 45);
  addresses.forEach(addressLabel); // each must be an IP address (ERR_NODETRUST_NAME_INVALID)
  const certificateSha256 = claim.bytes(doc.claims, 'cert', 32);
  if (certificateSha256.length !== 32) throw new DiscoError('ERR_NODETRUST_MALFORMED', 'cert');
  const issuedAt = claim.seconds(doc.claims, 'iat');
  const expiresAt = claim.seconds(doc.claims, 'exp');
  const now = Math.floor(options.nowMs / 1000);
  if (expiresAt < issuedAt || expiresAt - issuedAt > MAX_RELAY_RECORD_SECONDS) {
    throw new DiscoError('ERR_NODETRUST_MALFORMED', 'relay record: window');
  }
  if (issuedAt > now + SKEW_SECONDS || now > expiresAt + SKEW_SECONDS) {
    throw new DiscoError('ERR_NODETRUST_RECORD_EXPIRED', 'relay record: outside its window');
  }
  return { peer, url: parsed.origin, names, addresses, certificateSha256, issuedAt, expiresAt };
}

/**
 * Checks that `leafDer`, the certificate a TLS connection to `record.url` presented, is the one
 * the record pins (ERR_NODETRUST_RECORD_CERTIFICATE). Call after the TLS handshake validated the
 * chain: the pin binds that CA-checked certificate to the relay's key.
 */
export function checkRelayCertificate(record: RelayRecord, leafDer: Uint8Array): void {
  const digest = sha256(leafDer);
  if (!digest.every((b, i) => b === record.certificateSha256[i])) {
    throw new DiscoError(
      'ERR_NODETRUST_RECORD_CERTIFICATE',
      'relay record: the relay serves another certificate',
    );
  }
}

/** Resolves a name's TXT records, each as the character-strings of one record (Node's shape). */
export type ResolveTxt = (name: string) => Promise<string[][]>;

/**
 * Finds a relay by its peer id (the seed's discovery, over DNS): TXT at `relayRecordName`, each
 * record's strings joined (RFC 7208 §3.3 style), the newest valid record returned. No record:
 * ERR_NOT_FOUND; a resolver failure: ERR_TRANSPORT_FAILED; records there but none valid: the
 * first one's error.
 */
export async function discoverRelay(options: {
  readonly peer: PeerId | string;
  readonly zone: string;
  readonly resolveTxt: ResolveTxt;
  readonly nowMs: number;
}): Promise<RelayRecord> {
  const peer = typeof options.peer === 'string' ? parsePeerId(options.peer) : options.peer;
  let records: string[][];
  try {
    records = await options.resolveTxt(relayRecordName(peer, options.zone));
  } catch (cause) {
    const code = (cause as { code?: unknown } | null)?.code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') {
      throw new DiscoError('ERR_NOT_FOUND', 'relay record: none published', { cause });
    }
    throw new DiscoError('ERR_TRANSPORT_FAILED', 'relay record: DNS lookup failed', { cause });
  }
  const results = await Promise.allSettled(
    records.map((strings) =>
      verifyRelayRecord(strings.join(''), { nowMs: options.nowMs, peer, zone: options.zone }),
    ),
  );
  const valid = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const newest = valid.sort((a, b) => b.issuedAt - a.issuedAt)[0];
  if (newest) return newest;
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  throw new DiscoError('ERR_NOT_FOUND', 'relay record: none published');
}
