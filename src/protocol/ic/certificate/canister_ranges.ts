import { DiscoError } from '../../errors/index.js';
import { decodeCbor, type CborValue } from '../cbor/index.js';
import { Principal } from '../principal/index.js';

/**
 * Whether `canisterId` lies in one of the closed intervals of a subnet's `canister_ranges` blob:
 * tagged CBOR `[* [principal principal]]` (interface spec §Subnet information).
 */
export function inCanisterRanges(rangesCbor: Uint8Array, canisterId: Principal): boolean {
  let ranges: CborValue;
  try {
    ranges = decodeCbor(rangesCbor);
  } catch (cause) {
    throw new DiscoError('ERR_IC_CERT_DELEGATION_INVALID', 'canister_ranges: not CBOR', { cause });
  }
  if (!Array.isArray(ranges)) {
    throw new DiscoError('ERR_IC_CERT_DELEGATION_INVALID', 'canister_ranges: not a list');
  }
  return ranges.some((range) => {
    if (!Array.isArray(range) || range.length !== 2) {
      throw new DiscoError('ERR_IC_CERT_DELEGATION_INVALID', 'canister_ranges: not a pair');
    }
    const [low, high] = range;
    if (!(low instanceof Uint8Array) || !(high instanceof Uint8Array)) {
      throw new DiscoError('ERR_IC_CERT_DELEGATION_INVALID', 'canister_ranges: not principals');
    }
    const lo = Principal.fromUint8Array(low);
    const hi = Principal.fromUint8Array(high);
    return Principal.compare(lo, canisterId) <= 0 && Principal.compare(canisterId, hi) <= 0;
  });
}
