import { DiscoError } from '../errors/index.js';
import type { IdentityRecord } from './identity.js';

const isStr = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length <= max;
const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function okp(v: unknown, crv: 'Ed25519' | 'X25519'): boolean {
  return isObj(v) && v.kty === 'OKP' && v.crv === crv && isStr(v.x, 64) && v.d === undefined;
}

/** Checks the shape of an identity record read from a backup; never trusts its content. */
export function parseIdentityRecord(value: unknown): IdentityRecord {
  const w = isObj(value) ? value.wrapped : undefined;
  const kdf = isObj(w) ? w.kdf : undefined;
  const ok =
    isObj(value) &&
    value.version === 1 &&
    isStr(value.deviceId, 64) &&
    typeof value.createdAt === 'number' &&
    okp(value.signingJwk, 'Ed25519') &&
    okp(value.envelopeJwk, 'X25519') &&
    isObj(w) &&
    isStr(w.iv, 32) &&
    isStr(w.ciphertext) &&
    isObj(kdf) &&
    kdf.name === 'PBKDF2' &&
    kdf.hash === 'SHA-256' &&
    Number.isSafeInteger(kdf.iterations) &&
    isStr(kdf.salt, 64);
  if (!ok) throw new DiscoError('ERR_BACKUP_MALFORMED', 'The device identity record is damaged.');
  return value as unknown as IdentityRecord;
}
