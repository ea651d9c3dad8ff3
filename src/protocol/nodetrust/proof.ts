import { DiscoError } from '../errors/index.js';
import { addressLabel } from './names.js';
import { parsePeerId, type PeerId } from './peer_id.js';
import {
  claim,
  DOMAINS,
  openDocument,
  signDocument,
  verifyDocument,
  type Signer,
} from './signed_document.js';

/** A proof is valid this long after it was issued (seed: "It is valid for 5 minutes"). */
export const PROOF_VALIDITY_SECONDS = 300;
/** Clock difference tolerated between a proof server and the issue server. */
export const PROOF_SKEW_SECONDS = 30;
export const MAX_PROOF_ADDRESSES = 8;
const TYPE = 'nodetrust-proof/1';

/**
 * What a proof server asserts: "peer `peer` connected to me from `addresses` at `issuedAt`".
 * The seed's protobuf/RSA document becomes CBOR signed with the server's Ed25519 key. A proof
 * is NOT a bearer document: it names its peer, and the issue server accepts it only in a request
 * that peer signed (see `issue_request.ts`).
 */
export interface ProofClaims {
  readonly issuer: PeerId;
  readonly peer: PeerId;
  readonly addresses: readonly string[];
  /** Seconds since the epoch. */
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** Signs a proof for `peer` (base64url CBOR envelope, docs/wire/nodetrust.md §Proof). */
export async function createProof(
  server: Signer,
  peer: PeerId,
  addresses: readonly string[],
  nowMs: number,
): Promise<string> {
  if (addresses.length > MAX_PROOF_ADDRESSES) {
    throw new DiscoError('ERR_NODETRUST_MALFORMED', 'proof: too many addresses');
  }
  addresses.forEach(addressLabel); // each must be an IP address
  const iat = Math.floor(nowMs / 1000);
  return signDocument(
    DOMAINS.proof,
    {
      typ: TYPE,
      iss: server.peer.text,
      sub: peer.text,
      addrs: [...addresses],
      iat,
      exp: iat + PROOF_VALIDITY_SECONDS,
    },
    server,
  );
}

export interface VerifyProofOptions {
  /** The proof servers the verifier trusts, by peer id text. */
  readonly trusted: ReadonlyMap<string, PeerId>;
  readonly nowMs: number;
}

/**
 * Verifies a proof: the issuer is a trusted proof server (ERR_NODETRUST_PROOF_UNTRUSTED), the
 * signature is its own (ERR_NODETRUST_PROOF_INVALID), it is within its 5-minute window
 * (ERR_NODETRUST_PROOF_EXPIRED; issued in the future counts as invalid). Which peer may present
 * it is the caller's check.
 */
export async function verifyProof(
  token: unknown,
  options: VerifyProofOptions,
): Promise<ProofClaims> {
  const doc = openDocument(token);
  if (doc.claims.typ !== TYPE) throw new DiscoError('ERR_NODETRUST_MALFORMED', 'proof: typ');
  const issuerText = claim.text(doc.claims, 'iss', 80);
  const issuer = options.trusted.get(issuerText);
  if (!issuer) throw new DiscoError('ERR_NODETRUST_PROOF_UNTRUSTED', 'proof: unknown proof server');
  if (!(await verifyDocument(doc, DOMAINS.proof, issuer))) {
    throw new DiscoError('ERR_NODETRUST_PROOF_INVALID', 'proof: bad signature');
  }
  const peer = parsePeerId(claim.text(doc.claims, 'sub', 80));
  const addresses = claim.texts(doc.claims, 'addrs', MAX_PROOF_ADDRESSES, 45);
  addresses.forEach(addressLabel);
  const issuedAt = claim.seconds(doc.claims, 'iat');
  const expiresAt = claim.seconds(doc.claims, 'exp');
  const now = Math.floor(options.nowMs / 1000);
  if (expiresAt - issuedAt > PROOF_VALIDITY_SECONDS || expiresAt < issuedAt) {
    throw new DiscoError('ERR_NODETRUST_PROOF_INVALID', 'proof: window longer than allowed');
  }
  if (issuedAt > now + PROOF_SKEW_SECONDS) {
    throw new DiscoError('ERR_NODETRUST_PROOF_INVALID', 'proof: issued in the future');
  }
  if (now > expiresAt + PROOF_SKEW_SECONDS) {
    throw new DiscoError('ERR_NODETRUST_PROOF_EXPIRED', 'proof: expired');
  }
  return { issuer, peer, addresses, issuedAt, expiresAt };
}
