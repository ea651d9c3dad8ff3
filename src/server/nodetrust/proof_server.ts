import ipaddr from 'ipaddr.js';
import express, { type Express, type Request } from 'express';
import { b64u, systemRandom, type Random } from '../../protocol/encoding/index.js';
import { DiscoError } from '../../protocol/errors/index.js';
import {
  CHALLENGE_BYTES,
  createProof,
  parsePeerId,
  PATHS,
  PROOF_VALIDITY_SECONDS,
  verifyPossession,
  type Signer,
} from '../../protocol/nodetrust/index.js';
import { asyncHandler, cors, errorHandler, notFound } from './http.js';
import { DEFAULT_RATE_LIMITS, perAddress } from './rate_limit.js';

export interface ProofServerOptions {
  /** The proof server's own Ed25519 key; the issue server trusts its peer id. */
  readonly signer: Signer;
  readonly now?: () => number;
  readonly random?: Random;
  readonly challengeTtlMs?: number;
  readonly maxChallenges?: number;
  /** The address the client connected from; the socket's peer address by default. */
  readonly observedAddress?: (req: Request) => string | undefined;
  /** Calls per client address and minute (default 60; 0: no limit). */
  readonly perMinute?: number;
}

/** The socket's remote address, IPv4-mapped IPv6 written as IPv4. */
export function socketAddress(req: Request): string | undefined {
  const remote = req.socket.remoteAddress;
  if (!remote || !ipaddr.isValid(remote)) return undefined;
  return ipaddr.process(remote).toString();
}

/**
 * `POST /nodetrust/proof/1.0.0` (docs/wire/nodetrust.md §Proof). Two calls on one path:
 * `{peer}` gets a fresh single-use challenge; `{peer, challenge, signature}` (the peer's
 * signature of that challenge: proof of possession of its key) gets a proof that the peer
 * connected from the observed address, signed with this server's key and valid 5 minutes.
 */
export function createProofApp(options: ProofServerOptions): Express {
  const now = options.now ?? Date.now;
  const random = options.random ?? systemRandom;
  const ttl = options.challengeTtlMs ?? 60_000;
  const max = options.maxChallenges ?? 10_000;
  const observed = options.observedAddress ?? socketAddress;
  const server = options.signer.peer.text;
  const challenges = new Map<string, { peer: string; expires: number }>();

  const sweep = () => {
    const t = now();
    for (const [key, entry] of challenges) if (entry.expires <= t) challenges.delete(key);
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(cors); // the device app calls from its own origin
  app.post(
    PATHS.proof,
    perAddress(options.perMinute ?? DEFAULT_RATE_LIMITS.proofPerMinute),
    express.json({ limit: '2kb' }),
    asyncHandler(async (req, res) => {
      const body = req.body as
        { peer?: unknown; challenge?: unknown; signature?: unknown } | undefined;
      if (typeof body?.peer !== 'string') {
        throw new DiscoError(
          'ERR_NODETRUST_MALFORMED',
          'proof: {peer} or {peer, challenge, signature}',
        );
      }
      const peer = parsePeerId(body.peer);
      res.set('cache-control', 'no-store');
      if (body.challenge === undefined && body.signature === undefined) {
        if (challenges.size >= max) sweep();
        if (challenges.size >= max)
          throw new DiscoError('ERR_NODETRUST_BUSY', 'proof: too many challenges');
        const challenge = b64u.encode(random(CHALLENGE_BYTES));
        challenges.set(challenge, { peer: peer.text, expires: now() + ttl });
        res.json({ server, challenge, expiresIn: Math.floor(ttl / 1000) });
        return;
      }
      if (typeof body.challenge !== 'string' || typeof body.signature !== 'string') {
        throw new DiscoError(
          'ERR_NODETRUST_MALFORMED',
          'proof: challenge and signature are strings',
        );
      }
      const entry = challenges.get(body.challenge);
      challenges.delete(body.challenge); // single use, whatever happens next
      if (!entry || entry.expires <= now() || entry.peer !== peer.text) {
        throw new DiscoError(
          'ERR_NODETRUST_CHALLENGE_UNKNOWN',
          'proof: unknown, used or expired challenge',
        );
      }
      if (!(await verifyPossession(peer, server, b64u.decode(body.challenge), body.signature))) {
        throw new DiscoError(
          'ERR_NODETRUST_SIGNATURE_INVALID',
          'proof: the challenge is not signed by that peer',
        );
      }
      const address = observed(req);
      const addresses = address ? [address] : [];
      const proof = await createProof(options.signer, peer, addresses, now());
      res.json({
        server,
        proof,
        addresses,
        expiresAt: Math.floor(now() / 1000) + PROOF_VALIDITY_SECONDS,
      });
    }),
  );
  app.use(notFound);
  app.use(errorHandler());
  return app;
}
