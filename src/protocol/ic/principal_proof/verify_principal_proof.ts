import { DiscoError } from '../../errors/index.js';
import { DelegationChain, verifyDelegationChain } from '../delegation/index.js';
import { parsePublicKey, verifySignature, type SignatureVerifier } from '../keys/index.js';
import { checkChallenge, principalProofMessage, type PrincipalProof } from './principal_proof.js';

export interface VerifyPrincipalProofOptions {
  /** The challenge this company sent with its data request. */
  readonly challenge: string;
  /** Milliseconds since the epoch: every link of the chain must still be valid. */
  readonly now: number;
  /** This company's client id: when given, the proof must have been made for it. */
  readonly clientId?: string;
  /** DER BLS root of trust for a canister-signature root (real II); IC mainnet's by default. */
  readonly rootKey?: Uint8Array;
  readonly verifier?: SignatureVerifier;
}

export interface VerifiedPrincipal {
  /** The principal, textual: the self-authenticating id of the chain's root key. */
  readonly principal: string;
  readonly provider: string;
  /** When the chain's first link expires, ms since the epoch. */
  readonly expiresAt: number;
}

/** The largest proof read: a chain of 20 links with targets stays well under it. */
const MAX_PROOF_JSON = 256 * 1024;

const malformed = (why: string) =>
  new DiscoError('ERR_IC_PROOF_MALFORMED', `principal proof: ${why}`);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function text(v: unknown, max: number, what: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw malformed(`bad ${what}`);
  return v;
}

function fromHex(v: unknown, what: string): Uint8Array {
  if (typeof v !== 'string' || v.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(v)) {
    throw malformed(`${what} is not hex`);
  }
  return Uint8Array.from(v.match(/../g) ?? [], (b) => parseInt(b, 16));
}

/** The released value's shape, or `ERR_IC_PROOF_MALFORMED`. */
function readProof(value: unknown): PrincipalProof {
  if (!isObject(value) || value.v !== 1) throw malformed('not a version 1 proof');
  let size: number;
  try {
    size = JSON.stringify(value).length;
  } catch {
    throw malformed('not JSON');
  }
  if (size > MAX_PROOF_JSON) throw new DiscoError('ERR_TOO_LARGE', 'principal proof: too large');
  if (!isObject(value.delegation_chain)) throw malformed('no delegation_chain');
  return {
    v: 1,
    principal: text(value.principal, 64, 'principal'),
    provider: text(value.provider, 512, 'provider'),
    client_id: text(value.client_id, 128, 'client_id'),
    challenge: text(value.challenge, 128, 'challenge'),
    delegation_chain: value.delegation_chain as unknown as PrincipalProof['delegation_chain'],
    signature: text(value.signature, 1024, 'signature'),
  };
}

/**
 * Verifies a released `ic_principal` (docs/ic.md, "The principal, released to a company"), in
 * order: its shape; that it answers this challenge (and client id); the delegation chain as the
 * IC verifies it (interface spec §Authentication: every link signed, none expired at `now`, no
 * key twice; a canister-signature root under `rootKey`); that the stated principal is the
 * chain root's self-authenticating id; and that the chain's last key signed the challenge.
 *
 * @returns the principal. Throws `ERR_IC_PROOF_MALFORMED`, `ERR_IC_PROOF_CHALLENGE` (another
 * challenge or company), `ERR_IC_PROOF_PRINCIPAL` (a principal the chain does not prove),
 * `ERR_IC_PROOF_SIGNATURE` (not signed by the chain's key), or the chain's own `ERR_IC_*`
 * (`ERR_IC_DELEGATION_EXPIRED` when it expired).
 */
export async function verifyPrincipalProof(
  value: unknown,
  options: VerifyPrincipalProofOptions,
): Promise<VerifiedPrincipal> {
  const proof = readProof(value);
  if (proof.challenge !== checkChallenge(options.challenge)) {
    throw new DiscoError('ERR_IC_PROOF_CHALLENGE', 'principal proof: made for another challenge');
  }
  if (options.clientId !== undefined && proof.client_id !== options.clientId) {
    throw new DiscoError('ERR_IC_PROOF_CHALLENGE', 'principal proof: made for another company');
  }
  const chain = DelegationChain.fromJSON(proof.delegation_chain);
  const verified = await verifyDelegationChain(chain, {
    now: options.now,
    ...(options.rootKey ? { rootKey: options.rootKey } : {}),
    ...(options.verifier ? { verifier: options.verifier } : {}),
  });
  if (verified.principal.toText() !== proof.principal) {
    throw new DiscoError('ERR_IC_PROOF_PRINCIPAL', 'principal proof: not the chain’s principal');
  }
  const message = principalProofMessage({
    principal: verified.principal,
    provider: proof.provider,
    clientId: proof.client_id,
    challenge: proof.challenge,
  });
  const key = parsePublicKey(verified.sessionKey);
  const ok = await (options.verifier ?? verifySignature)(
    key,
    message,
    fromHex(proof.signature, 'signature'),
  );
  if (!ok) {
    throw new DiscoError(
      'ERR_IC_PROOF_SIGNATURE',
      'principal proof: not signed by the chain’s key',
    );
  }
  return {
    principal: proof.principal,
    provider: proof.provider,
    expiresAt: Number(verified.expiration / 1_000_000n),
  };
}
