import { DiscoError, isDiscoError } from '../errors/index.js';
import {
  openClientRequest,
  requestClaims,
  verifyClientRequest,
} from '../messages/client_request.js';
import { PATHS } from '../messages/paths.js';
import type { WriteOp } from '../storage/store.js';
import { importCertificateKey, type ParsedCertificate } from '../x509/index.js';
import {
  checkCertificate,
  pinnedSigner,
  registerSigner,
  type Signer,
} from './certificate_pinning.js';
import { malformed, runChecks, type Check } from './checks.js';
import type { AuthContext } from './context.js';
import { POLICY } from './policy.js';
import type { CertificateView, ClientRecord } from './records.js';
import { notAClient } from './refusals.js';
import { requestGuard } from './replay.js';

export { REQUEST_TYP, REQUEST_ALGS } from '../messages/client_request.js';

export interface RequestClaims {
  iss: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  htu: string;
  [claim: string]: unknown;
}

/** A client request, read and authenticated: what the operations below it work with. */
export interface ClientRequest {
  claims: RequestClaims;
  cert: ParsedCertificate;
  trust: CertificateView['trust'];
  /** The registered client (every endpoint but register). */
  client?: ClientRecord;
  /** Replay guards to write in the same transaction as the request's effect (replay.ts). */
  seen: WriteOp[];
}

/** The device endpoints a client request is read for, as the engine's router named them. */
export type AuthEndpoint = 'register' | 'authorize' | 'data';

/** Store keys are built from these: their size is checked before any store access. */
const UNVERIFIED: readonly Check<Record<string, unknown>>[] = [
  [
    'iss is 1 to 128 characters',
    (u) => typeof u.iss === 'string' && u.iss.length > 0 && u.iss.length <= 128,
    () => malformed('iss is missing or longer than 128 characters.'),
  ],
  [
    'auth_req_id, if any, is an id',
    (u) =>
      u.auth_req_id === undefined ||
      (typeof u.auth_req_id === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(u.auth_req_id)),
    () => malformed('auth_req_id is malformed.'),
  ],
];

const expired = () =>
  new DiscoError(
    'ERR_REQUEST_EXPIRED',
    'The request is expired or not yet valid (check the clock).',
  );
const wrongAudience = (what: string) =>
  new DiscoError('ERR_REQUEST_WRONG_AUDIENCE', `This request was made for another ${what}.`);

type Signed = { p: Record<string, unknown>; path: string; now: number; deviceId: string };

/** The signed claims every request carries (docs/wire/engine.md, Requests). */
const SIGNED: readonly Check<Signed>[] = [
  [
    'iss present',
    ({ p }) => typeof p.iss === 'string' && p.iss.length > 0 && p.iss.length <= 128,
    () => malformed('iss is missing.'),
  ],
  [
    'jti is 16 to 128 characters',
    ({ p }) => typeof p.jti === 'string' && p.jti.length >= 16 && p.jti.length <= 128,
    () => malformed('jti must be 16 to 128 characters.'),
  ],
  [
    'iat and exp are numbers',
    ({ p }) => typeof p.iat === 'number' && typeof p.exp === 'number',
    () => malformed('iat and exp are required.'),
  ],
  ['aud is this device', ({ p, deviceId }) => p.aud === deviceId, () => wrongAudience('device')],
  ['htu is this endpoint', ({ p, path }) => p.htu === path, () => wrongAudience('endpoint')],
  [
    'iat not in the future',
    ({ p, now }) => (p.iat as number) <= now + POLICY.maxSkewSeconds,
    expired,
  ],
  ['exp not past', ({ p, now }) => (p.exp as number) > now - POLICY.maxSkewSeconds, expired],
  [
    'lives at most 300 s',
    ({ p }) => (p.exp as number) - (p.iat as number) <= POLICY.requestMaxAgeSeconds,
    expired,
  ],
  ['exp after iat', ({ p }) => (p.exp as number) >= (p.iat as number), expired],
];

/** The RP's key for checking a JWS of this `alg`. */
function verifyKey(cert: ParsedCertificate, alg: string): Promise<CryptoKey> {
  return importCertificateKey(cert, 'verify', {
    rsaScheme: alg === 'RS256' ? 'RSASSA-PKCS1-v1_5' : 'RSA-PSS',
  });
}

/**
 * Reads a client request (src/protocol/messages/client_request.ts). In order: the envelope and
 * header, the sizes of the claims used as store keys, who must have signed
 * (certificate_pinning.ts), the signature, the signed claims (`aud` this device, `htu` this
 * endpoint, fresh, with a `jti`), and last the certificate itself. `endpoint` is the router's,
 * never read from the path again. The request's replay guard comes back as an op for the
 * caller's transaction (replay.ts).
 */
export async function readClientRequest(
  body: Uint8Array | undefined,
  endpoint: AuthEndpoint,
  ctx: AuthContext,
): Promise<ClientRequest> {
  const opened = await openClientRequest(body, ctx.keys.envelope);
  const u = opened.unverified;
  await runChecks(UNVERIFIED, u);
  const iss = u.iss as string;
  const pollId = u.auth_req_id as string | undefined;

  const signer: Signer =
    endpoint === 'register'
      ? await registerSigner(pollId, u.certificate, ctx)
      : await pinnedSigner(iss, ctx);
  let payload: Uint8Array;
  try {
    payload = await verifyClientRequest(opened, await verifyKey(signer.cert, opened.alg));
  } catch (err) {
    if (signer.client) throw notAClient();
    if (isDiscoError(err)) throw err;
    throw new DiscoError('ERR_REQUEST_SIGNATURE', 'The request signature does not verify.');
  }
  // From here on only what was signed is read.
  const p = requestClaims(payload);
  await runChecks(SIGNED, {
    p,
    path: PATHS[endpoint],
    now: Math.floor(ctx.clock.now() / 1000),
    deviceId: ctx.identity.deviceId,
  });
  const claims = p as RequestClaims;
  if (claims.iss !== iss) throw malformed('iss changed between reads.');
  const trust = await checkCertificate(signer, ctx);
  return {
    claims,
    cert: signer.cert,
    trust,
    ...(signer.client ? { client: signer.client } : {}),
    seen: [requestGuard(signer.cert.thumbprint, claims.jti, claims.exp)],
  };
}
