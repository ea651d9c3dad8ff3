import { isDiscoError } from '../../protocol/errors/index.js';

/** What Settings says about the relay's signed record (docs/wire/nodetrust.md, "The relay's own copy"). */
export type RelayRecordCheck =
  | {
      readonly kind: 'verified';
      /** The relay's name, the host of the record's URL. */
      readonly name: string;
      /** Its peer id: the key that signed the record. */
      readonly peer: string;
      readonly expiresAt: number;
      readonly checkedAt: number;
    }
  /** The relay serves no record (a relay without a nodetrust certificate): nothing to check. */
  | { readonly kind: 'none'; readonly checkedAt: number }
  /** A record that does not verify, or is for another address: `reason` says which. */
  | { readonly kind: 'invalid'; readonly reason: string; readonly checkedAt: number }
  /** The relay could not be asked. */
  | { readonly kind: 'unreachable'; readonly checkedAt: number };

/** The record is ≤ 1,000 characters; the answer is a little more (its peer id and DNS name). */
const MAX_BODY_CHARS = 4_096;
const TIMEOUT_MS = 10_000;

/** Why a record does not verify, as a person reads it (the protocol's codes, shortened). */
function reasonOf(err: unknown): string {
  const code = isDiscoError(err) ? err.code : '';
  switch (code) {
    case 'ERR_NODETRUST_SIGNATURE_INVALID':
      return 'its signature does not verify: it was changed on the way';
    case 'ERR_NODETRUST_RECORD_EXPIRED':
      return "it is out of date (or this device's clock is wrong)";
    case 'ERR_NODETRUST_RECORD_PEER':
      return 'it is signed by another relay';
    default:
      return 'it cannot be read';
  }
}

/**
 * Fetches the relay's own copy of its signed record (`GET <relay>/.well-known/disco-relay`) and
 * checks it for `relayUrl` (readServedRelayRecord, isRecordFor: src/protocol/nodetrust). Never
 * throws: every outcome is something Settings shows. The verifier is loaded on first use, as the
 * device certificate's code is, so the Settings chunk stays small.
 */
export async function checkRelayRecord(
  relayUrl: string,
  options: { readonly fetch?: typeof fetch; readonly now?: () => number } = {},
): Promise<RelayRecordCheck> {
  const now = options.now ?? Date.now;
  const fetchFn = options.fetch ?? fetch;
  const nt = await import('../../protocol/nodetrust/relay_served_record.js');
  let res: Response;
  let text: string;
  try {
    res = await fetchFn(nt.servedRecordUrl(relayUrl), {
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    text = await res.text();
  } catch {
    return { kind: 'unreachable', checkedAt: now() };
  }
  if (res.status === 404) return { kind: 'none', checkedAt: now() };
  if (!res.ok) return { kind: 'unreachable', checkedAt: now() };
  const checkedAt = now();
  try {
    if (text.length > MAX_BODY_CHARS) throw new TypeError('too large');
    const record = await nt.readServedRelayRecord(JSON.parse(text), { nowMs: checkedAt });
    if (!nt.isRecordFor(record, relayUrl)) {
      return {
        kind: 'invalid',
        reason: `it is for ${record.url}, not for the address this app uses (${relayUrl})`,
        checkedAt,
      };
    }
    return {
      kind: 'verified',
      name: new URL(record.url).hostname,
      peer: record.peer.text,
      expiresAt: record.expiresAt * 1000,
      checkedAt,
    };
  } catch (err) {
    return { kind: 'invalid', reason: reasonOf(err), checkedAt };
  }
}
