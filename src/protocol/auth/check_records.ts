import { DiscoError } from '../errors/index.js';
import { COLLECTIONS } from './records.js';

/**
 * Shape checks for the engine's records when they come from a backup file: each must be a plain
 * object with the fields the engine reads, of the right types, filed under its own id.
 */
type Spec = Record<
  string,
  | 'string'
  | 'number'
  | 'boolean'
  | 'object'
  | 'array'
  | 'string?'
  | 'number?'
  | 'array?'
  | 'object?'
>;

const SPECS: Record<string, { key: string; spec: Spec }> = {
  [COLLECTIONS.clients]: {
    key: 'clientId',
    spec: {
      clientId: 'string',
      clientName: 'string',
      isTrusted: 'boolean',
      certificatePem: 'string',
      certificate: 'object',
      secretHash: 'string',
      registeredAt: 'number',
    },
  },
  [COLLECTIONS.grants]: {
    key: 'grantId',
    spec: {
      grantId: 'string',
      clientId: 'string',
      scope: 'array',
      createdAt: 'number',
      expiresAt: 'number',
      revokedAt: 'number?',
    },
  },
  [COLLECTIONS.keyB]: {
    key: 'jti',
    spec: {
      jti: 'string',
      grantId: 'string',
      clientId: 'string',
      audience: 'string',
      audienceThumbprint: 'string',
      scope: 'array',
      expiresAt: 'number',
    },
  },
  [COLLECTIONS.rules]: {
    key: 'id',
    spec: {
      id: 'string',
      clientId: 'string',
      kind: 'string',
      scope: 'array',
      createdAt: 'number',
      audience: 'string?',
      audienceThumbprint: 'string?',
    },
  },
  [COLLECTIONS.activity]: {
    key: 'id',
    spec: {
      id: 'string',
      at: 'number',
      kind: 'string',
      outcome: 'string',
      decidedBy: 'string',
      clientId: 'string',
      clientName: 'string',
      scope: 'array',
      fields: 'array?',
    },
  },
};

function typeOf(v: unknown): string {
  return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
}

export function checkEngineRecord(collection: string, key: string, value: unknown): unknown {
  const s = SPECS[collection];
  if (!s) throw new DiscoError('ERR_BACKUP_MALFORMED', `Unknown collection ${collection}.`);
  const v = value as Record<string, unknown>;
  const ok =
    typeOf(value) === 'object' &&
    Object.entries(s.spec).every(([field, t]) => {
      const optional = t.endsWith('?');
      return (optional && v[field] === undefined) || typeOf(v[field]) === t.replace('?', '');
    }) &&
    (collection === COLLECTIONS.activity ? key.endsWith(String(v.id)) : v[s.key] === key);
  if (!ok)
    throw new DiscoError(
      'ERR_BACKUP_MALFORMED',
      `A ${collection} record in the backup is damaged.`,
    );
  return value;
}

export const ENGINE_BACKED_UP: readonly string[] = Object.keys(SPECS);
/**
 * Checked like the rest, then dropped when a backup is restored: a restored (or cloned) device
 * must never honour a key B issued or spent before the backup, and the spent markers are not in
 * it (issue #12, 7). The company asks for a new key B; the grant behind it survives.
 */
export const ENGINE_VOID_ON_RESTORE: readonly string[] = [COLLECTIONS.keyB];
/** Transient: pending requests expire in minutes, the replay cache with them; pairings matter only
 * until the company registers. */
export const ENGINE_NOT_BACKED_UP: readonly string[] = [
  COLLECTIONS.pending,
  COLLECTIONS.seen,
  COLLECTIONS.activeGrant,
  'pairings',
];
