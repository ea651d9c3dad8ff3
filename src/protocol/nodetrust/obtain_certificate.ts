import { b64u, systemRandom, type Random } from '../encoding/index.js';
import { DiscoError } from '../errors/index.js';
import { negotiateAlgorithms, type KeyAlgorithm } from './algorithms.js';
import { checkIssuedCertificate } from './check_answer.js';
import { createIssueRequest } from './issue_request.js';
import { fullName } from './names.js';
import { parsePeerId, type PeerId } from './peer_id.js';
import { signPossession } from './possession.js';
import { verifyProof, type ProofClaims } from './proof.js';
import type { Signer } from './signed_document.js';
import { callJson, parseInfo, PATHS, type FetchLike, type IssueAnswer } from './wire.js';

export interface ObtainCertificateOptions {
  /** Base URL of the issue server (the paths of docs/wire/nodetrust.md go under it). */
  readonly issueUrl: string;
  /** Base URLs of the proof servers; by default those the issue server lists. */
  readonly proofUrls?: readonly string[];
  /** The peer's Ed25519 identity: names the certificate (`p<peer id>`) and signs the request. */
  readonly identity: Signer;
  /** Key algorithms the caller can make a certificate key for, preferred first. */
  readonly algorithms?: readonly KeyAlgorithm[];
  /** Also ask for the ip4/ip6 names of the addresses the proof servers saw (a relay does). */
  readonly includeAddresses?: boolean;
  /** Makes the certificate key (kept by the caller) and returns the DER CSR for `names`. */
  readonly createCsr: (names: readonly string[], algorithm: KeyAlgorithm) => Promise<Uint8Array>;
  readonly fetch: FetchLike;
  readonly now?: () => number;
  readonly random?: Random;
  /** Deadline of each proof request and of the info request (ms). */
  readonly timeoutMs?: number;
  /** Deadline of the issue request, which waits for the CA (ms). */
  readonly issueTimeoutMs?: number;
}

export interface ObtainedCertificate extends IssueAnswer {
  /** Peer ids of the proof servers whose proofs were used. */
  readonly proofServers: readonly string[];
}

const join = (base: string, path: string) => `${base.replace(/\/+$/, '')}${path}`;

/** One proof server: challenge, signed answer, proof (docs/wire/nodetrust.md §Proof). */
async function fetchProof(
  url: string,
  options: ObtainCertificateOptions,
  trusted: ReadonlyMap<string, PeerId>,
): Promise<{ token: string; claims: ProofClaims }> {
  const timeout = options.timeoutMs ?? 15_000;
  const peer = options.identity.peer.text;
  const first = (await callJson(options.fetch, join(url, PATHS.proof), { peer }, timeout)) as {
    server?: unknown;
    challenge?: unknown;
  };
  if (typeof first.server !== 'string' || typeof first.challenge !== 'string') {
    throw new DiscoError('ERR_RESPONSE_UNTRUSTED', 'proof server: no challenge');
  }
  const signature = await signPossession(
    options.identity,
    first.server,
    b64u.decode(first.challenge),
  );
  const second = (await callJson(
    options.fetch,
    join(url, PATHS.proof),
    { peer, challenge: first.challenge, signature },
    timeout,
  )) as { proof?: unknown };
  // Checked here too, so a proof the issue server would refuse is dropped like a failed server.
  const claims = await verifyProof(second.proof, { trusted, nowMs: (options.now ?? Date.now)() });
  if (claims.peer.text !== peer)
    throw new DiscoError('ERR_NODETRUST_PROOF_PEER', 'proof for another peer');
  return { token: second.proof as string, claims };
}

/**
 * The seed's client flow ("Example flow of client obtaining certificate"): info from the issue
 * server, then a proof from every proof server in parallel (failures ignored, none at all is
 * ERR_NODETRUST_NO_PROOF_SERVER), then the signed issue request with the CSR; the answer is the
 * certificate chain (checked: the CSR's key, the names asked for) or the server's typed error. Pure: fetch, clock and randomness are passed in.
 */
export async function obtainCertificate(
  options: ObtainCertificateOptions,
): Promise<ObtainedCertificate> {
  const now = options.now ?? Date.now;
  const timeout = options.timeoutMs ?? 15_000;
  const info = parseInfo(
    await callJson(options.fetch, join(options.issueUrl, PATHS.info), undefined, timeout),
  );
  const algorithm = negotiateAlgorithms(options.algorithms ?? ['ecdsa-p256'], info.algorithms)[0];
  const trusted = new Map(info.proofServers.map((s) => [s.peer, parsePeerId(s.peer)] as const));
  const urls = options.proofUrls ?? info.proofServers.flatMap((s) => (s.url ? [s.url] : []));
  const settled = await Promise.allSettled(urls.map((url) => fetchProof(url, options, trusted)));
  const proofs = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  if (proofs.length === 0) {
    const causes = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    throw new DiscoError('ERR_NODETRUST_NO_PROOF_SERVER', 'no proof server gave a proof', {
      cause: new AggregateError(causes),
    });
  }
  const names = new Set([fullName({ kind: 'peer', peer: options.identity.peer }, info.zone)]);
  if (options.includeAddresses) {
    for (const address of proofs.flatMap((p) => p.claims.addresses)) {
      names.add(fullName({ kind: address.includes(':') ? 'ip6' : 'ip4', address }, info.zone));
    }
  }
  if (algorithm === undefined) throw new DiscoError('ERR_NODETRUST_NO_ALGORITHM', 'no algorithm');
  const csr = await options.createCsr([...names], algorithm);
  const request = await createIssueRequest(
    options.identity,
    { audience: info.audience, proofs: proofs.map((p) => p.token), algorithms: [algorithm], csr },
    now(),
    options.random ?? systemRandom,
  );
  const answer = (await callJson(
    options.fetch,
    join(options.issueUrl, PATHS.issue),
    { request },
    options.issueTimeoutMs ?? 120_000,
  )) as Partial<IssueAnswer>;
  if (typeof answer.certificate !== 'string' || !Array.isArray(answer.names) || !answer.algorithm) {
    throw new DiscoError('ERR_RESPONSE_UNTRUSTED', 'issue server: no certificate');
  }
  checkIssuedCertificate(answer.certificate, csr, [...names]);
  return {
    certificate: answer.certificate,
    names: answer.names,
    algorithm: answer.algorithm,
    proofServers: proofs.map((p) => p.claims.issuer.text),
  };
}
