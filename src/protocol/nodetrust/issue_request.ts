import { b64u } from '../encoding/index.js';
import { DiscoError } from '../errors/index.js';
import { MAX_CSR_BYTES } from './csr.js';
import { parsePeerId, type PeerId } from './peer_id.js';
import {
  claim,
  DOMAINS,
  openDocument,
  signDocument,
  verifyDocument,
  type Signer,
} from './signed_document.js';

/** An issue request is good this long either side of its `iat` (clock skew and transit). */
export const REQUEST_WINDOW_SECONDS = 120;
export const MAX_REQUEST_PROOFS = 8;
export const MAX_REQUEST_ALGORITHMS = 8;
const TYPE = 'nodetrust-issue/1';

export interface IssueRequestContent {
  /** The issue server's audience string, from `GET /nodetrust/issue/info/1.0.0`. */
  readonly audience: string;
  readonly proofs: readonly string[];
  readonly algorithms: readonly string[];
  /** DER of the PKCS #10 request. */
  readonly csr: Uint8Array;
}

export interface IssueRequest extends IssueRequestContent {
  readonly peer: PeerId;
  /** Unique per request: the issue server refuses a second use. */
  readonly id: string;
  readonly issuedAt: number;
}

/**
 * The issue request, signed by the requesting peer's identity key. This signature is what makes
 * proofs non-bearer: the issue server accepts only proofs naming the peer that signed the request
 * that carries them (docs/wire/nodetrust.md §Issue). It also covers the CSR, the audience (one
 * issue server) and a fresh id and time (no replay).
 */
export async function createIssueRequest(
  peer: Signer,
  content: IssueRequestContent,
  nowMs: number,
  random: (length: number) => Uint8Array,
): Promise<string> {
  return signDocument(
    DOMAINS.issue,
    {
      typ: TYPE,
      aud: content.audience,
      sub: peer.peer.text,
      iat: Math.floor(nowMs / 1000),
      jti: b64u.encode(random(16)),
      proofs: [...content.proofs],
      algorithms: [...content.algorithms],
      csr: content.csr,
    },
    peer,
  );
}

/**
 * Opens an issue request: well formed (ERR_NODETRUST_MALFORMED), signed by the peer it names
 * (ERR_NODETRUST_SIGNATURE_INVALID), for this issue server (ERR_NODETRUST_WRONG_AUDIENCE), made
 * within REQUEST_WINDOW_SECONDS of now (ERR_NODETRUST_REQUEST_EXPIRED). The caller refuses a
 * repeated `id` and verifies the proofs.
 */
export async function verifyIssueRequest(
  token: unknown,
  options: { audience: string; nowMs: number },
): Promise<IssueRequest> {
  const doc = openDocument(token);
  const { claims } = doc;
  if (claims.typ !== TYPE) throw new DiscoError('ERR_NODETRUST_MALFORMED', 'request: typ');
  const peer = parsePeerId(claim.text(claims, 'sub', 80));
  if (!(await verifyDocument(doc, DOMAINS.issue, peer))) {
    throw new DiscoError('ERR_NODETRUST_SIGNATURE_INVALID', 'request: not signed by its peer');
  }
  const audience = claim.text(claims, 'aud', 512);
  const issuedAt = claim.seconds(claims, 'iat');
  const id = claim.text(claims, 'jti', 64);
  const proofs = claim.texts(claims, 'proofs', MAX_REQUEST_PROOFS, 4096);
  const algorithms = claim.texts(claims, 'algorithms', MAX_REQUEST_ALGORITHMS, 32);
  const csr = claim.bytes(claims, 'csr', MAX_CSR_BYTES);
  if (audience !== options.audience) {
    throw new DiscoError('ERR_NODETRUST_WRONG_AUDIENCE', 'request: made for another issue server');
  }
  if (Math.abs(Math.floor(options.nowMs / 1000) - issuedAt) > REQUEST_WINDOW_SECONDS) {
    throw new DiscoError('ERR_NODETRUST_REQUEST_EXPIRED', 'request: too old or from the future');
  }
  return { peer, id, issuedAt, audience, proofs, algorithms, csr };
}
