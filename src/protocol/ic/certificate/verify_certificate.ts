import { DiscoError } from '../../errors/index.js';
import { IC_STATE_ROOT, withSeparator } from '../domain_separators.js';
import { parsePublicKey } from '../keys/index.js';
import { Principal } from '../principal/index.js';
import { loadBlsVerifier, type BlsVerifier } from './bls_suite.js';
import { inCanisterRanges } from './canister_ranges.js';
import { reconstruct, type HashTree } from './hash_tree.js';
import { lookupPath, type Label, type LookupResult } from './lookup.js';
import { parseCertificate } from './parse_certificate.js';
import { IC_MAINNET_ROOT_KEY_DER } from './root_key.js';

const MINUTE_MS = 60_000;

/**
 * Whom the certificate must speak for (interface spec §Request: Read state): a canister, checked
 * against the delegated subnet's `canister_ranges`, or a subnet, which must be the one the
 * delegation names.
 */
export type CertificateScope =
  | { readonly canisterId: Principal; readonly subnetId?: never }
  | { readonly subnetId: Principal; readonly canisterId?: never };

export type VerifyCertificateOptions = CertificateScope & {
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** DER BLS root key; the IC mainnet key by default. */
  readonly rootKey?: Uint8Array;
  /** Oldest acceptable `/time`, in ms before `now`; 5 min by default, `null` for no limit. */
  readonly maxAgeMs?: number | null;
  /** How far `/time` may be ahead of `now` (clock skew); 5 min by default. */
  readonly maxFutureMs?: number;
  /** Oldest acceptable time of the subnet delegation's certificate; 30 days by default. */
  readonly maxDelegationAgeMs?: number | null;
  readonly blsVerify?: BlsVerifier;
};

/** A certificate whose signature, delegation and time passed. */
export interface VerifiedCertificate {
  readonly tree: HashTree;
  /** `/time`, nanoseconds since the epoch. */
  readonly time: bigint;
  /** The subnet a delegation names; absent for a certificate signed by the root key itself. */
  readonly subnetId?: Principal;
  lookup(path: readonly Label[]): LookupResult;
}

/** Unsigned LEB128 (state tree nats, interface spec §Encoding of certificates). */
export function decodeLeb128(bytes: Uint8Array): bigint | undefined {
  if (bytes.length === 0 || bytes.length > 10) return undefined;
  let value = 0n;
  for (let i = 0; i < bytes.length; i++) {
    value |= BigInt(bytes[i]! & 0x7f) << BigInt(7 * i);
    if ((bytes[i]! & 0x80) === 0) return i === bytes.length - 1 ? value : undefined;
  }
  return undefined;
}

function checkTime(tree: HashTree, now: number, maxAgeMs: number | null, maxFutureMs: number) {
  const found = lookupPath(['time'], tree);
  const time = found.status === 'found' ? decodeLeb128(found.value) : undefined;
  if (time === undefined) throw new DiscoError('ERR_IC_CERT_MALFORMED', 'certificate: no /time');
  const nowNs = BigInt(Math.floor(now)) * 1_000_000n;
  if (time > nowNs + BigInt(maxFutureMs) * 1_000_000n) {
    throw new DiscoError('ERR_IC_CERT_STALE', 'certificate: /time is in the future');
  }
  if (maxAgeMs !== null && time < nowNs - BigInt(maxAgeMs) * 1_000_000n) {
    throw new DiscoError('ERR_IC_CERT_STALE', 'certificate: /time is too old');
  }
  return time;
}

/**
 * verify_cert (interface spec §Certificate, §Delegation): the BLS signature over
 * `\x0Dic-state-root · reconstruct(tree)` under the root key, or under the subnet key a delegation
 * certifies (that certificate signed by the root key, without a delegation of its own, with the
 * canister in the subnet's `canister_ranges`); then `/time` against `now`.
 */
export async function verifyCertificate(
  bytes: Uint8Array,
  options: VerifyCertificateOptions,
): Promise<VerifiedCertificate> {
  const blsVerify = options.blsVerify ?? (await loadBlsVerifier());
  const rootKey = parsePublicKey(options.rootKey ?? IC_MAINNET_ROOT_KEY_DER, ['bls12381-g2']);
  const certificate = parseCertificate(bytes);
  let signingKey = rootKey.raw;

  if (certificate.delegation) {
    const { subnetId, certificate: inner } = certificate.delegation;
    const refused = (why: string, cause?: unknown) =>
      new DiscoError('ERR_IC_CERT_DELEGATION_INVALID', `subnet delegation: ${why}`, { cause });
    const parsed = parseCertificate(inner);
    if (parsed.delegation) throw refused('nested delegation');
    checkTime(
      parsed.tree,
      options.now,
      options.maxDelegationAgeMs === undefined
        ? 30 * 24 * 60 * MINUTE_MS
        : options.maxDelegationAgeMs,
      options.maxFutureMs ?? 5 * MINUTE_MS,
    );
    const key = lookupPath(['subnet', subnetId, 'public_key'], parsed.tree);
    if (key.status !== 'found') throw refused('no subnet public key');
    try {
      signingKey = parsePublicKey(key.value, ['bls12381-g2']).raw;
    } catch (cause) {
      throw refused('subnet key is not a BLS key', cause);
    }
    const ranges = lookupPath(['subnet', subnetId, 'canister_ranges'], parsed.tree);
    if (ranges.status !== 'found') throw refused('no canister_ranges');
    const allowed = options.subnetId
      ? options.subnetId.equals(Principal.fromUint8Array(subnetId))
      : inCanisterRanges(ranges.value, options.canisterId);
    if (!allowed) {
      throw new DiscoError(
        'ERR_IC_CERT_NOT_AUTHORIZED',
        'certificate: not from the subnet of the canister or the subnet asked',
      );
    }
    // The cheap checks come first; the pairing last.
    const innerRoot = withSeparator(IC_STATE_ROOT, reconstruct(parsed.tree));
    if (!blsVerify(rootKey.raw, parsed.signature, innerRoot)) throw refused('bad signature');
  }

  const time = checkTime(
    certificate.tree,
    options.now,
    options.maxAgeMs === undefined ? 5 * MINUTE_MS : options.maxAgeMs,
    options.maxFutureMs ?? 5 * MINUTE_MS,
  );
  const root = withSeparator(IC_STATE_ROOT, reconstruct(certificate.tree));
  if (!blsVerify(signingKey, certificate.signature, root)) {
    throw new DiscoError('ERR_IC_CERT_SIGNATURE_INVALID', 'certificate: bad BLS signature');
  }
  const { tree } = certificate;
  const subnetId = certificate.delegation?.subnetId;
  return {
    tree,
    time,
    ...(subnetId ? { subnetId: Principal.fromUint8Array(subnetId) } : {}),
    lookup: (path) => lookupPath(path, tree),
  };
}
