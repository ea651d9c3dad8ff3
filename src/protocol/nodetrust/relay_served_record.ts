import { DiscoError } from '../errors/index.js';
import { parsePeerId } from './peer_id.js';
import { verifyRelayRecord, type RelayRecord } from './relay_record.js';

/**
 * Where a relay serves its own discovery record (docs/wire/nodetrust.md, "The relay's own
 * copy"): a browser cannot ask DNS for TXT, but it can ask the relay it already talks to.
 */
export const RELAY_RECORD_WELL_KNOWN = '/.well-known/disco-relay';

/** The answer of `GET /.well-known/disco-relay`. */
export interface ServedRelayRecord {
  /** The signed record (the token published in DNS). */
  readonly record: string;
  /** The relay's peer id (base58): the key that signed `record`. */
  readonly peer: string;
  /** Where the same record is published in DNS (`_disco-relay.p….<zone>`). */
  readonly recordName: string;
}

/** Bounds the body a reader accepts: the record (≤ 1,000 characters) plus two short strings. */
const MAX_PEER_CHARS = 80;

/** `<relay URL>/.well-known/disco-relay`, for the relay URL a device uses (trailing `/` or not). */
export function servedRecordUrl(relayUrl: string): string {
  return `${relayUrl.replace(/\/+$/, '')}${RELAY_RECORD_WELL_KNOWN}`;
}

/**
 * Reads the record a relay served about itself (docs/wire/nodetrust.md, "The relay's own copy"):
 * the body's shape (`ERR_NODETRUST_MALFORMED`), then `verifyRelayRecord` with the body's peer
 * (size, signature by that relay's key, names, window). It does not look at where it came from:
 * `checkServedRelayRecord` does.
 */
export async function readServedRelayRecord(
  body: unknown,
  options: { readonly nowMs: number; readonly zone?: string },
): Promise<RelayRecord> {
  const { record, peer } = (typeof body === 'object' && body !== null ? body : {}) as Record<
    string,
    unknown
  >;
  if (typeof record !== 'string' || typeof peer !== 'string' || peer.length > MAX_PEER_CHARS) {
    throw new DiscoError('ERR_NODETRUST_MALFORMED', 'served relay record: shape');
  }
  return verifyRelayRecord(record, {
    nowMs: options.nowMs,
    peer: parsePeerId(peer),
    ...(options.zone ? { zone: options.zone } : {}),
  });
}

/** Whether `record` is about the relay at `relayUrl`: its `url` is that very origin. */
export function isRecordFor(record: RelayRecord, relayUrl: string): boolean {
  try {
    return record.url === new URL(relayUrl).origin;
  } catch {
    return false;
  }
}

/**
 * Checks the record a relay served about itself for the relay URL the device uses:
 * `readServedRelayRecord`, then that the record's `url` is the very origin the device reaches the
 * relay at (`ERR_NODETRUST_RECORD_PEER`: a record of another relay, or of this one at another
 * address). What this binds: over HTTPS the copy came from that origin, i.e. from the holder of a
 * CA-issued certificate for the name, and the relay's key signs that it serves there. A browser
 * cannot see the certificate to compare the pin (`checkRelayCertificate` does, in Node).
 */
export async function checkServedRelayRecord(
  body: unknown,
  options: { readonly relayUrl: string; readonly nowMs: number; readonly zone?: string },
): Promise<RelayRecord> {
  const record = await readServedRelayRecord(body, options);
  if (!isRecordFor(record, options.relayUrl)) {
    throw new DiscoError('ERR_NODETRUST_RECORD_PEER', 'served relay record: for another URL');
  }
  return record;
}
