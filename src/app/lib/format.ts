import { fingerprintOf } from '../../protocol/identity/device_id.js';
import { FIELD_LABELS, type VaultEntry } from '../../protocol/vault/index.js';

/** Person-readable wording shared by the pages: field names, dates, durations, fingerprints. */

/** Fields a company may ask for that are not in the vault (src/protocol/vault/fields.ts). */
const RELEASED_ONLY_LABELS: Readonly<Record<string, string>> = {
  ic_principal: 'Internet Identity principal (proven)',
};

export function fieldLabel(name: string): string {
  return (FIELD_LABELS as Record<string, string>)[name] ?? RELEASED_ONLY_LABELS[name] ?? name;
}

/** "Full name", "Full name and E-mail", "Full name, E-mail and Phone". */
export function fieldList(names: readonly string[]): string {
  const labels = names.map(fieldLabel);
  if (labels.length <= 1) return labels[0] ?? 'nothing';
  return `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1] ?? ''}`;
}

/** What a vault entry holds, as one line. */
export function entryText(e: VaultEntry): string {
  if (e.kind !== 'address') return e.value;
  return [
    e.value.street_address,
    [e.value.postal_code, e.value.locality].filter(Boolean).join(' '),
    e.value.region,
    e.value.country,
  ]
    .filter(Boolean)
    .join(', ');
}

const DATE: Intl.DateTimeFormatOptions = { dateStyle: 'medium' };
const DATE_TIME: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' };

export const formatDate = (ms: number): string => new Date(ms).toLocaleDateString(undefined, DATE);
export const formatDateTime = (ms: number): string =>
  new Date(ms).toLocaleString(undefined, DATE_TIME);
export const formatTime = (ms: number): string =>
  new Date(ms).toLocaleTimeString(undefined, { timeStyle: 'short' });
export const isoTime = (ms: number): string => new Date(ms).toISOString();

/** "30 days", "5 minutes", "1 hour". */
export function duration(seconds: number): string {
  const units: Array<[number, string]> = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, unit] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${unit}${n === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} seconds`;
}

/** "in 9 minutes", "in less than a minute". */
export function timeLeft(until: number, now: number): string {
  const minutes = Math.floor((until - now) / 60_000);
  if (minutes < 1) return 'in less than a minute';
  return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/**
 * A certificate's fingerprint as people compare it: the same form as the device's own (base32 of
 * the first 160 bits of the SHA-256 thumbprint, 8 groups of 4), which the SDK shows on the
 * company's side too.
 */
export function fingerprintGroups(thumbprint: string): string {
  return fingerprintOf(thumbprint);
}

/** The first characters of an id: enough to tell permissions apart on screen. */
export const shortId = (id: string): string => id.slice(0, 8);

/** The common name (CN) of a distinguished name such as `CN=Example CA, O=Example`. */
export function commonName(dn: string): string {
  return /(?:^|[,/]\s*)CN=((?:\\.|[^,+])+)/.exec(dn)?.[1]?.trim() ?? dn;
}
