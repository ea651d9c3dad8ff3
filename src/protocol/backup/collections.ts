import { DiscoError } from '../errors/index.js';
import { parseIdentityRecord } from '../identity/parse_identity.js';
import { IDENTITY, KEYS } from '../identity/identity.js';
import { assertEntry } from '../vault/validate_entry.js';
import { VAULT, vaultKey } from '../vault/fields.js';
import {
  checkEngineRecord,
  ENGINE_BACKED_UP,
  ENGINE_NOT_BACKED_UP,
  ENGINE_VOID_ON_RESTORE,
} from '../auth/check_records.js';
import {
  CAPABILITY_BACKUP_CHECKS,
  CAPABILITY_NOT_BACKED_UP,
} from '../certificates/device/backup_checks.js';

/**
 * Which collections a backup carries, and how each record is checked on restore. A collection
 * that is not listed here is refused on restore, so a damaged or foreign file cannot plant data.
 * `KEYS` is never backed up: its CryptoKeys are non-extractable; the identity record carries
 * them wrapped under the passphrase instead.
 */
type Check = (key: string, value: unknown, now: number) => unknown;

const checks: Record<string, Check> = {
  [IDENTITY.collection]: (key, value) => {
    if (key !== IDENTITY.key)
      throw new DiscoError('ERR_BACKUP_MALFORMED', 'Unknown identity record.');
    return parseIdentityRecord(value);
  },
  [VAULT]: (key, value, now) => {
    const entry = assertEntry(value, { now });
    if (vaultKey(entry) !== key) {
      throw new DiscoError('ERR_BACKUP_MALFORMED', 'A vault record is filed under the wrong name.');
    }
    const at = (value as { updatedAt?: unknown }).updatedAt;
    return { ...entry, updatedAt: typeof at === 'number' ? at : now };
  },
  ...Object.fromEntries(
    ENGINE_BACKED_UP.map((c) => [
      c,
      (key: string, value: unknown) => checkEngineRecord(c, key, value),
    ]),
  ),
  settings: (_key, value) => {
    // `JSON.stringify` gives undefined (not a string) for a record without a value.
    const json = JSON.stringify(value) as string | undefined;
    if (json === undefined || json.length > 10_000)
      throw new DiscoError('ERR_BACKUP_MALFORMED', 'A setting is missing or too large.');
    return value;
  },
  ...CAPABILITY_BACKUP_CHECKS,
};

export const NOT_BACKED_UP: ReadonlySet<string> = new Set([
  KEYS.collection,
  ...ENGINE_NOT_BACKED_UP,
  ...CAPABILITY_NOT_BACKED_UP,
]);

/** Checked, then not restored: what a restored copy must not honour (key B records). */
export const VOID_ON_RESTORE: ReadonlySet<string> = new Set(ENGINE_VOID_ON_RESTORE);

export function checkBackupRecord(
  collection: string,
  key: string,
  value: unknown,
  now: number,
): unknown {
  const check = checks[collection];
  if (!check) {
    throw new DiscoError(
      'ERR_BACKUP_MALFORMED',
      `The backup holds an unknown kind of record (${collection}).`,
    );
  }
  return check(key, value, now);
}
