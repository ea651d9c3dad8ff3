import { DiscoError } from '../errors/index.js';
import type { Answer } from './answers.js';
import { CLIENT_ID, isText, malformed, runChecks, type Check } from './checks.js';
import { readClientRequest, type RequestClaims } from './client_request.js';
import { ask } from './consent.js';
import type { AuthContext } from './context.js';
import { sha256b64u } from './sha256.js';
import { pairingOf, provePairingChallenge } from './pairing_challenge.js';
import { poll } from './poll.js';
import { POLICY } from './policy.js';
import { certificateView, COLLECTIONS, type ClientRecord } from './records.js';
import { stateGuard } from './replay.js';

/** A register request's claims, once the table below has checked them. */
interface RegisterClaims extends RequestClaims {
  client_id: string;
  client_name: string;
  client_secret: string;
  is_trusted: boolean;
  /** The PEM the request was verified with (certificate_pinning.ts). */
  certificate: string;
  challenge?: unknown;
}

/** The register claims (docs/wire/engine.md, Parameters), checked in this order. */
const CLAIMS: readonly Check<RequestClaims>[] = [
  [
    'client_id is an id',
    (c) => isText(c.client_id, 128, CLIENT_ID),
    () => malformed('client_id is missing or malformed.'),
  ],
  [
    'iss is the client_id',
    (c) => c.iss === c.client_id,
    () => malformed('iss must be the client_id.'),
  ],
  [
    'client_name is 1 to 100 characters',
    (c) => isText(c.client_name, 100),
    () => malformed('client_name is missing or malformed.'),
  ],
  [
    'client_secret is present',
    (c) => isText(c.client_secret, 512),
    () => malformed('client_secret is missing or malformed.'),
  ],
  [
    'client_secret is long enough',
    (c) => (c.client_secret as string).length >= POLICY.minClientSecretLength,
    () => malformed(`client_secret must be at least ${POLICY.minClientSecretLength} characters.`),
  ],
  [
    'is_trusted is a boolean',
    (c) => typeof c.is_trusted === 'boolean',
    () => malformed('is_trusted must be true or false.'),
  ],
];

/**
 * `POST /disco/auth/register`: a relying party asks to become a client of this device, signing
 * with the certificate it wants pinned (certificate_pinning.ts). A poll (`auth_req_id`) goes to
 * poll.ts. Then: the claims (table above); a taken id; the pairing challenge
 * (pairing_challenge.ts); and the person decides (a rule never covers register). Approved, the
 * client is pinned (complete.ts).
 */
export async function register(body: Uint8Array | undefined, ctx: AuthContext): Promise<Answer> {
  const r = await readClientRequest(body, 'register', ctx);
  if (r.claims.auth_req_id !== undefined) return poll(r, 'register', ctx);
  await runChecks(CLAIMS, r.claims);
  const c = r.claims as RegisterClaims;
  const clientId = c.client_id;
  // Only the company itself (its pinned certificate signed this) hears that it is registered;
  // anyone else's request for a taken id goes to the person like a new one, who cannot approve
  // it over the registered company (complete.ts). An outsider cannot tell taken from free.
  const existing = await ctx.store.get<ClientRecord>(COLLECTIONS.clients, clientId);
  if (existing?.certificate.thumbprint === r.cert.thumbprint)
    throw new DiscoError('ERR_CLIENT_EXISTS', 'This client is already registered.');
  const pairing = await provePairingChallenge(r.cert.thumbprint, c.challenge, ctx);
  return ask(
    {
      client: {
        clientId,
        clientName: c.client_name,
        isTrusted: c.is_trusted,
        certificate: certificateView(r.cert, r.trust),
      },
      scope: [],
      ...(pairing ? { pairing: pairingOf(pairing) } : {}),
      work: {
        kind: 'register',
        jti: c.jti,
        certificatePem: c.certificate,
        secretHash: await sha256b64u(c.client_secret),
        challengeProved: pairing !== undefined,
      },
    },
    [...r.seen, await stateGuard(c, clientId)],
    ctx,
  );
}
