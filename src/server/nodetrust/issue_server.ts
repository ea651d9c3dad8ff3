import express, { type Express } from 'express';
import { DiscoError } from '../../protocol/errors/index.js';
import {
  checkCoverage,
  coveredNames,
  KEY_ALGORITHMS,
  negotiateAlgorithms,
  normalizeZone,
  parsePeerId,
  PATHS,
  PROOF_VALIDITY_SECONDS,
  readCsr,
  REQUEST_WINDOW_SECONDS,
  verifyIssueRequest,
  verifyProofsFor,
  type IssueAnswer,
  type IssueInfo,
  type KeyAlgorithm,
  type PeerId,
} from '../../protocol/nodetrust/index.js';
import type { CertificateIssuer } from './acme_issuer.js';
import { asyncHandler, cors, errorHandler, notFound } from './http.js';
import { DEFAULT_RATE_LIMITS, perAddress } from './rate_limit.js';

export interface IssueServerOptions {
  /** What issue requests must name as their audience: this server's public URL, say. */
  readonly audience: string;
  readonly zone: string;
  /** The proof servers whose proofs are accepted (peer id text) and where clients find them. */
  readonly proofServers: readonly { readonly peer: string; readonly url: string | null }[];
  readonly algorithms?: readonly KeyAlgorithm[];
  readonly issuer: CertificateIssuer;
  readonly now?: () => number;
  /** Orders running at once (each holds an ACME order open); more get ERR_NODETRUST_BUSY. */
  readonly maxConcurrent?: number;
  readonly log?: (err: unknown) => void;
  /** Issue requests per client address and minute (default 20; 0: no limit). */
  readonly perMinute?: number;
  /** Where relays publish their discovery records (told to clients in info). */
  readonly relayRecordUrl?: string;
}

function toPem(der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE REQUEST-----\n${lines.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}

/**
 * The issue server (docs/wire/nodetrust.md §Issue): `GET /nodetrust/issue/info/1.0.0` and
 * `POST /nodetrust/issue/1.0.0`. A request is refused at once, with its typed error, unless it
 * is signed by its peer, fresh and unused; every proof is valid, from a known proof server and
 * names that peer; an algorithm is shared and the CSR's key is of it; and every name in the CSR
 * is one the proofs cover. Only then does the CA see the CSR. The server never sees a private key.
 */
export function createIssueApp(options: IssueServerOptions): Express {
  const now = options.now ?? Date.now;
  const zone = normalizeZone(options.zone);
  const algorithms = options.algorithms ?? [...KEY_ALGORITHMS];
  const trusted = new Map<string, PeerId>(
    options.proofServers.map((s) => [s.peer, parsePeerId(s.peer)]),
  );
  const maxConcurrent = options.maxConcurrent ?? 4;
  const seen = new Map<string, number>(); // request id → forget after
  const running = new Set<string>(); // peers with an order in flight
  const info: IssueInfo = {
    audience: options.audience,
    zone,
    proofServers: options.proofServers.map((s) => ({ peer: s.peer, url: s.url })),
    algorithms,
    proofValiditySeconds: PROOF_VALIDITY_SECONDS,
    ...(options.relayRecordUrl ? { relayRecordUrl: options.relayRecordUrl } : {}),
  };

  const remember = (id: string) => {
    const t = now();
    for (const [key, until] of seen) if (until <= t) seen.delete(key);
    if (seen.has(id))
      throw new DiscoError('ERR_NODETRUST_REQUEST_REPLAYED', 'issue: request already used');
    if (seen.size >= 100_000)
      throw new DiscoError('ERR_NODETRUST_BUSY', 'issue: too many requests');
    seen.set(id, t + 2 * REQUEST_WINDOW_SECONDS * 1000);
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(cors); // the device app calls from its own origin
  app.get(PATHS.info, (_req, res) => {
    res.set('cache-control', 'no-store').json(info);
  });
  app.post(
    PATHS.issue,
    perAddress(options.perMinute ?? DEFAULT_RATE_LIMITS.issuePerMinute),
    express.json({ limit: '64kb' }),
    asyncHandler(async (req, res) => {
      const nowMs = now();
      const request = await verifyIssueRequest(
        (req.body as { request?: unknown } | undefined)?.request,
        {
          audience: options.audience,
          nowMs,
        },
      );
      remember(request.id);
      const proofs = await verifyProofsFor(request.peer, request.proofs, { trusted, nowMs });
      const common = negotiateAlgorithms(request.algorithms, algorithms);
      const csr = await readCsr(request.csr, common);
      checkCoverage(csr.names, coveredNames(request.peer, proofs, zone));
      if (running.has(request.peer.text) || running.size >= maxConcurrent) {
        throw new DiscoError(
          'ERR_NODETRUST_BUSY',
          'issue: an order is already running; retry later',
        );
      }
      running.add(request.peer.text);
      try {
        const certificate = await options.issuer.issue(toPem(request.csr));
        const answer: IssueAnswer = { certificate, names: csr.names, algorithm: csr.algorithm };
        res.set('cache-control', 'no-store').json(answer);
      } finally {
        running.delete(request.peer.text);
      }
    }),
  );
  app.use(notFound);
  app.use(errorHandler(options.log));
  return app;
}
