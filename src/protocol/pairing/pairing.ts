import { DiscoError } from '../errors/index.js';
import { checkRelayUrl } from './relay_url.js';

/**
 * Pairing as the device sees it (DESIGN.md flow 1). The person types or scans a uid; the device
 * tells the relay how to reach it and receives the RP's certificate and the pairing challenge.
 * The relay knows the challenge, so it proves only that the RP can decrypt: the device also pins
 * the certificate and, when the uid came from a QR code, checks the certificate thumbprint the QR
 * carried — a relay that swapped certificates is caught here.
 */
export const PAIRINGS = 'pairings';

export interface PairingRecord {
  /** SHA-256 thumbprint of the RP certificate the relay handed over. */
  thumbprint: string;
  uid: string;
  challenge: string;
  relay: string;
  pairedAt: number;
  /** Whether the thumbprint was confirmed out of band (QR code). */
  confirmedOutOfBand: boolean;
}

/** `web+disco:pair?uid=…&x5t=…&relay=…`, or an https link with the same query, or a bare uid. */
export interface PairingCode {
  uid: string;
  thumbprint?: string;
  relay?: string;
}

const UID = /^[0-9A-HJKMNP-TV-Z]{4}-?[0-9A-HJKMNP-TV-Z]{4}$/;
/** Longest pairing code or link read: a QR link with uid, x5t and relay is under 300 characters. */
export const MAX_PAIRING_CODE_CHARS = 4096;

function checkLength(input: unknown): string {
  if (typeof input !== 'string') throw new DiscoError('ERR_INVALID_INPUT', 'No pairing code.');
  if (input.length > MAX_PAIRING_CODE_CHARS)
    throw new DiscoError('ERR_TOO_LARGE', 'This is too long to be a pairing code.');
  return input;
}

/** Normalises a uid as people type it (Crockford base32: I/L → 1, O → 0, any case, spaces). */
export function normaliseUid(input: string): string {
  const s = checkLength(input)
    .trim()
    .toUpperCase()
    .replace(/[\s_]/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
  if (!UID.test(s))
    throw new DiscoError(
      'ERR_INVALID_INPUT',
      'A pairing code has 8 letters or digits, like K7QF-2M4D.',
    );
  const bare = s.replace('-', '');
  return `${bare.slice(0, 4)}-${bare.slice(4)}`;
}

/**
 * Reads what a person typed or scanned (docs/wire/relay.md): a uid, or a link carrying `uid`, an
 * optional certificate thumbprint `x5t` (43 base64url characters) and an optional `relay`
 * (returned as its origin). ERR_TOO_LARGE past MAX_PAIRING_CODE_CHARS, checked before any
 * parsing; ERR_INVALID_INPUT for anything else that is not exactly such a code.
 */
export function parsePairingCode(input: string): PairingCode {
  const text = checkLength(input).trim();
  if (!/^(web\+disco:|https?:)/i.test(text)) return { uid: normaliseUid(text) };
  let url: URL;
  try {
    url = new URL(text.replace(/^web\+disco:/i, 'web+disco://x/'));
  } catch {
    throw new DiscoError('ERR_INVALID_INPUT', 'This is not a Disco pairing code.');
  }
  // The app's own links route by hash (`/#/connect?uid=…`): the query may sit in the fragment.
  const params = url.searchParams.has('uid')
    ? url.searchParams
    : new URLSearchParams(url.hash.split('?')[1] ?? '');
  const uid = params.get('uid');
  if (!uid) throw new DiscoError('ERR_INVALID_INPUT', 'This link has no pairing code.');
  const thumbprint = params.get('x5t') ?? undefined;
  if (thumbprint !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(thumbprint)) {
    throw new DiscoError(
      'ERR_INVALID_INPUT',
      'The certificate fingerprint in this code is damaged.',
    );
  }
  const given = params.get('relay') ?? undefined;
  let relay: string | undefined;
  try {
    relay = given ? checkRelayUrl(given) : undefined;
  } catch {
    throw new DiscoError('ERR_INVALID_INPUT', 'The relay address in this code is damaged.');
  }
  return {
    uid: normaliseUid(uid),
    ...(thumbprint ? { thumbprint } : {}),
    ...(relay ? { relay } : {}),
  };
}
