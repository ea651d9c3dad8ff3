import { DiscoError } from '../errors/index.js';
import { STANDARD_FIELDS, type PostalAddress, type VaultEntry } from './fields.js';

/** Field-level problems, keyed by input name (`value`, `label`, `street_address`, …). */
export type FieldErrors = Record<string, string>;
export type Validation = { ok: true; entry: VaultEntry } | { ok: false; errors: FieldErrors };

const EMAIL = /^[^\s@"<>()[\]\\,;:]+@[^\s@"<>()[\]\\,;:]+\.[^\s@"<>()[\]\\,;:]+$/;
const PHONE = /^\+?[0-9 ()./-]+$/;
const CUSTOM_ID = /^[a-z0-9-]{1,40}$/;

function text(v: unknown, max: number): string {
  return typeof v === 'string' ? v.trim().slice(0, max + 1) : '';
}

function checkBirthdate(value: string, today: Date, errors: FieldErrors): void {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !d || d.toISOString().slice(0, 10) !== value) {
    errors.value = 'Enter a real date as YYYY-MM-DD, for example 1990-04-23.';
  } else if (d.getTime() > today.getTime()) {
    errors.value = 'A birth date cannot be in the future.';
  } else if (Number(m[1]) < 1900) {
    errors.value = 'Enter a birth date after 1900.';
  }
}

function checkAddress(raw: unknown, errors: FieldErrors): PostalAddress {
  const a = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const out: PostalAddress = {
    street_address: text(a.street_address, 300),
    locality: text(a.locality, 100),
    country: text(a.country, 100),
  };
  const region = text(a.region, 100);
  const postal = text(a.postal_code, 20);
  if (region) out.region = region;
  if (postal) out.postal_code = postal;
  if (!out.street_address) errors.street_address = 'Enter the street and number.';
  else if (out.street_address.length > 300)
    errors.street_address = 'Keep the street under 300 characters.';
  if (!out.locality) errors.locality = 'Enter the city or town.';
  if (!out.country) errors.country = 'Enter the country.';
  if (postal && !/^[A-Za-z0-9 -]{2,12}$/.test(postal)) {
    errors.postal_code = 'A postal code has 2 to 12 letters, digits, spaces or dashes.';
  }
  return out;
}

/**
 * Validates one vault entry as typed by a person (or read from a backup) and returns it
 * normalised (trimmed, address parts dropped when empty). Never throws on bad input.
 */
export function validateEntry(input: unknown, opts: { now: number }): Validation {
  const i = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const errors: FieldErrors = {};
  const updatedAt = opts.now;
  const kind = i.kind;
  if (kind === 'address') {
    const value = checkAddress(i.value, errors);
    return Object.keys(errors).length
      ? { ok: false, errors }
      : { ok: true, entry: { kind, value, updatedAt } };
  }
  if (kind === 'custom') {
    const id = typeof i.id === 'string' ? i.id : '';
    const label = text(i.label, 64);
    const value = text(i.value, 2000);
    if (!CUSTOM_ID.test(id)) errors.id = 'This field has a damaged identifier.';
    if (!label) errors.label = 'Give the field a name, for example “Loyalty card”.';
    else if (label.length > 64) errors.label = 'Keep the name under 64 characters.';
    if (!value) errors.value = 'Enter a value.';
    else if (value.length > 2000) errors.value = 'Keep the value under 2,000 characters.';
    return Object.keys(errors).length
      ? { ok: false, errors }
      : { ok: true, entry: { kind, id, label, value, updatedAt } };
  }
  if (typeof kind !== 'string' || !(STANDARD_FIELDS as readonly string[]).includes(kind)) {
    return { ok: false, errors: { kind: 'Choose which kind of information this is.' } };
  }
  const value = text(i.value, 320);
  if (!value) errors.value = 'Enter a value, or delete the field.';
  else if (kind === 'name' && value.length > 200)
    errors.value = 'Keep the name under 200 characters.';
  else if (kind === 'email' && (value.length > 254 || !EMAIL.test(value))) {
    errors.value = 'Enter an e-mail address like name@example.org.';
  } else if (kind === 'phone_number') {
    const digits = value.replace(/\D/g, '').length;
    if (!PHONE.test(value) || digits < 6 || digits > 15) {
      errors.value =
        'Enter a phone number with 6 to 15 digits, best with the country code (+44 …).';
    }
  } else if (kind === 'birthdate') checkBirthdate(value, new Date(opts.now), errors);
  return Object.keys(errors).length
    ? { ok: false, errors }
    : { ok: true, entry: { kind: kind as 'name', value, updatedAt } };
}

/** The throwing form, for records that must already be valid (restore). */
export function assertEntry(input: unknown, opts: { now: number }): VaultEntry {
  const result = validateEntry(input, opts);
  if (!result.ok) {
    throw new DiscoError('ERR_VAULT_INVALID', Object.values(result.errors).join(' '));
  }
  return result.entry;
}
