import { DiscoError } from '../../errors/index.js';
import { Principal } from '../principal/index.js';

/** The canister-signature key: the signing canister and the seed it chose. */
export interface CanisterSignaturePublicKey {
  readonly canisterId: Principal;
  readonly seed: Uint8Array;
  readonly der: Uint8Array;
}

// AlgorithmIdentifier SEQUENCE { OID 1.3.6.1.4.1.56387.1.2 } (interface spec §Canister signatures)
const ALGORITHM = Uint8Array.from([
  0x30, 0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xb8, 0x43, 0x01, 0x02,
]);

const invalid = (why: string) => new DiscoError('ERR_IC_KEY_INVALID', `canister key: ${why}`);

/** Reads a DER length at `pos` (minimal form only, at most two length bytes). */
function readLength(der: Uint8Array, pos: number): [length: number, next: number] {
  const first = der[pos];
  if (first === undefined) throw invalid('truncated');
  if (first < 0x80) return [first, pos + 1];
  if (first === 0x81 && (der[pos + 1] ?? 0) >= 0x80) return [der[pos + 1]!, pos + 2];
  if (first === 0x82 && (der[pos + 1] ?? 0) > 0) {
    return [(der[pos + 1]! << 8) | der[pos + 2]!, pos + 3];
  }
  throw invalid('not a minimal DER length');
}

/** True when `der` starts like a canister-signature SubjectPublicKeyInfo. */
export function isCanisterSignatureKey(der: Uint8Array): boolean {
  try {
    const [, pos] = readLength(der, 1);
    return der[0] === 0x30 && ALGORITHM.every((b, i) => der[pos + i] === b);
  } catch {
    return false;
  }
}

/**
 * Parses `SEQUENCE { AlgorithmIdentifier, BIT STRING (|canister_id| · canister_id · seed) }`
 * (interface spec §Canister signatures) exactly: no trailing bytes, unused-bits byte 0.
 */
export function parseCanisterSignaturePublicKey(der: Uint8Array): CanisterSignaturePublicKey {
  if (der[0] !== 0x30) throw invalid('not a SEQUENCE');
  const [outer, start] = readLength(der, 1);
  if (start + outer !== der.length) throw invalid('length mismatch');
  if (!ALGORITHM.every((b, i) => der[start + i] === b)) throw invalid('not a canister key');
  let pos = start + ALGORITHM.length;
  if (der[pos] !== 0x03) throw invalid('no BIT STRING');
  const [bits, body] = readLength(der, pos + 1);
  pos = body;
  if (pos + bits !== der.length || bits < 2 || der[pos] !== 0x00) throw invalid('bad BIT STRING');
  const idLength = der[pos + 1]!;
  const idStart = pos + 2;
  if (idStart + idLength > der.length) throw invalid('canister id past the end');
  try {
    return {
      canisterId: Principal.fromUint8Array(der.subarray(idStart, idStart + idLength)),
      seed: der.slice(idStart + idLength),
      der: Uint8Array.from(der),
    };
  } catch (cause) {
    throw new DiscoError('ERR_IC_KEY_INVALID', 'canister key: bad canister id', { cause });
  }
}
