import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose';
import { DiscoError, isDiscoError } from '../errors/index.js';
import { utf8 } from '../encoding/index.js';
import { open } from '../jose/index.js';
import type { WriteOp } from '../storage/store.js';
import {
  importCertificateKey,
  validateCertificate,
  type ParsedCertificate,
} from '../x509/index.js';
import { PATHS } from '../engine/paths.js';
import { POLICY } from './policy.js';
import {
  COLLECTIONS,
  type CertificateView,
  type ClientRecord,
  type PendingRecord,
} from './records.js';
import type { AuthContext } from './context.js';

/** JWS `typ` of a client request (RFC 8725 §3.11). */
export const REQUEST_TYP = 'disco-request+jwt';
/** Signature algorithms a client certificate key may use. */
export const REQUEST_ALGS = ['PS256', 'RS256', 'ES256', 'EdDSA'] as const;

export interface RequestClaims {
  iss: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  htu: string;
  [claim: string]: unknown;
}

export interface ClientRequest {
  claims: RequestClaims;
  cert: ParsedCertificate;
  trust: CertificateView['trust'];
  /** The registered client (every endpoint but register). */
  client?: ClientRecord;
  /** Replay guards to write in the same transaction as the request's effect. */
  seen: WriteOp[];
}

/** The device endpoints a client request is read for, as the router named them. */
export type AuthEndpoint = 'register' | 'authorize' | 'data';

const bad = (why: string) => new DiscoError('ERR_REQUEST_MALFORMED', why);

/**
 * The one answer to a request that does not authenticate as a registered client: an unknown
 * `iss`, a removed client, and a known `iss` signed by anyone else get the same bytes, so an
 * outsider cannot learn which companies the person uses (issue #12, 2; docs/threat-model.md).
 */
export const notAClient = (): DiscoError =>
  new DiscoError('ERR_CLIENT_UNKNOWN', 'This client is not registered with the device.');

/** The RP's key for checking a JWS of this `alg`. */
function verifyKey(cert: ParsedCertificate, alg: string): Promise<CryptoKey> {
  return importCertificateKey(cert, 'verify', {
    rsaScheme: alg === 'RS256' ? 'RSASSA-PKCS1-v1_5' : 'RSA-PSS',
  });
}

interface Signer {
  cert: ParsedCertificate;
  /** Set when the request claims to come from a registered client. */
  client?: ClientRecord;
}

/**
 * Reads a client request: a JWS signed by the client's certificate key, sealed in a JWE to the
 * device's envelope key (sign-then-encrypt, RFC 7519 §11.2). Checks, in order: the envelope, the
 * header (no `crit`, no `b64`: RFC 7797 payloads are refused), the sizes of the claims used as
 * store keys, who signed (for `register` the certificate in the claims, or for a register poll
 * the one that asked; else the registered client's pinned certificate), the signature, then the
 * signed claims: `aud` is this device, `htu` this endpoint, `iat`/`exp` fresh, `jti` present,
 * and last the certificate itself. `endpoint` is the router's, never read from the path again.
 * Replay guards come back as ops for the caller's transaction.
 */
export async function readClientRequest(
  body: Uint8Array | undefined,
  endpoint: AuthEndpoint,
  ctx: AuthContext,
): Promise<ClientRequest> {
  if (!body || body.byteLength === 0) throw bad('The request has no body.');
  const { plaintext } = await open(utf8.decode(body).trim(), ctx.keys.envelope);
  let jws: string;
  let header: ReturnType<typeof decodeProtectedHeader>;
  let unverified: ReturnType<typeof decodeJwt>;
  try {
    jws = utf8.decode(plaintext);
    header = decodeProtectedHeader(jws);
    unverified = decodeJwt(jws);
  } catch {
    throw bad('The envelope does not hold a signed request.');
  }
  if (header.typ !== REQUEST_TYP) throw bad(`The request must have typ ${REQUEST_TYP}.`);
  // An unencoded payload (RFC 7797) reads differently to a verifier than to decodeJwt: refuse
  // it, and every other critical extension, before anything is verified.
  if ('crit' in header || 'b64' in header) throw bad('The request may carry no crit or b64.');
  const alg = header.alg ?? '';
  if (!(REQUEST_ALGS as readonly string[]).includes(alg)) {
    throw new DiscoError('ERR_REQUEST_SIGNATURE', `Signature algorithm ${alg} is not accepted.`);
  }
  // Store keys are built from these: check their size before any store access.
  const iss = unverified.iss;
  if (typeof iss !== 'string' || iss.length === 0 || iss.length > 128)
    throw bad('iss is missing or longer than 128 characters.');
  const pollId = unverified.auth_req_id;
  if (pollId !== undefined && (typeof pollId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(pollId)))
    throw bad('auth_req_id is malformed.');

  const signer =
    endpoint === 'register'
      ? await registerSigner(pollId, unverified.certificate, ctx)
      : await clientSigner(iss, ctx);
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, await verifyKey(signer.cert, alg), {
      algorithms: [alg],
    }));
  } catch (err) {
    if (signer.client) throw notAClient();
    if (isDiscoError(err)) throw err;
    throw new DiscoError(
      'ERR_REQUEST_SIGNATURE',
      'The request signature does not verify with the client certificate.',
    );
  }
  // From here on only what was signed is read.
  const claims = checkClaims(parsePayload(payload), PATHS[endpoint], ctx);
  if (claims.iss !== iss) throw bad('iss changed between reads.');
  const trust = await checkCertificate(signer.cert, signer.client, ctx);
  const seen: WriteOp[] = [
    {
      op: 'add',
      collection: COLLECTIONS.seen,
      key: `jti:${signer.cert.thumbprint}:${claims.jti}`,
      value: { exp: claims.exp * 1000 },
    },
  ];
  return {
    claims,
    cert: signer.cert,
    trust,
    ...(signer.client ? { client: signer.client } : {}),
    seen,
  };
}

/**
 * Every endpoint but register: the registered client named by `iss`. Whatever fails on the way
 * (no such client, its stored certificate unusable) answers as `notAClient`.
 */
async function clientSigner(iss: string, ctx: AuthContext): Promise<Signer> {
  const client = await ctx.store.get<ClientRecord>(COLLECTIONS.clients, iss);
  if (!client) throw notAClient();
  try {
    return { cert: await ctx.certificates.parse(client.certificatePem), client };
  } catch {
    throw notAClient();
  }
}

/**
 * Register: the certificate in the claims; a register poll is signed with the certificate of the
 * register request it polls for, whatever the claims carry.
 */
async function registerSigner(
  pollId: string | undefined,
  certificate: unknown,
  ctx: AuthContext,
): Promise<Signer> {
  let pem = certificate;
  if (pollId !== undefined) {
    const p = await ctx.store.get<PendingRecord>(COLLECTIONS.pending, pollId);
    if (p?.kind !== 'register') throw consentUnknown();
    pem = p.work.certificatePem;
  }
  if (typeof pem !== 'string') throw bad('The request carries no certificate.');
  // Possibly a parse kept from an earlier request (same bytes): validity, trust, pin and key
  // usage are checked on every request all the same.
  return { cert: await ctx.certificates.parse(pem) };
}

export const consentUnknown = (): DiscoError =>
  new DiscoError('ERR_CONSENT_UNKNOWN', 'No such request is waiting for this client.');

function parsePayload(payload: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(payload));
  } catch {
    throw bad('The signed request is not JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad('The signed request is not a JSON object.');
  return value as Record<string, unknown>;
}

async function checkCertificate(
  cert: ParsedCertificate,
  client: ClientRecord | undefined,
  ctx: AuthContext,
): Promise<CertificateView['trust']> {
  const base = {
    now: ctx.clock.now(),
    anchors: ctx.anchors,
    purpose: ['verify', 'encrypt'] as const,
    maxSkewSeconds: 60,
  };
  try {
    const v = await validateCertificate(cert, {
      ...base,
      pins: client ? [client.certificate.thumbprint] : [],
    });
    return v.trust;
  } catch (err) {
    // An unknown self-signed certificate may register: the person sees "not verified" and pins it.
    if (!client && isDiscoError(err, 'ERR_CERT_UNTRUSTED') && cert.selfSigned) {
      await validateCertificate(cert, { ...base, pins: [cert.thumbprint] });
      return 'unverified';
    }
    throw err;
  }
}

function checkClaims(p: Record<string, unknown>, path: string, ctx: AuthContext): RequestClaims {
  const now = Math.floor(ctx.clock.now() / 1000);
  const { iss, aud, iat, exp, jti, htu } = p;
  if (typeof iss !== 'string' || iss.length === 0 || iss.length > 128) throw bad('iss is missing.');
  if (typeof jti !== 'string' || jti.length < 16 || jti.length > 128)
    throw bad('jti must be 16 to 128 characters.');
  if (typeof iat !== 'number' || typeof exp !== 'number') throw bad('iat and exp are required.');
  if (aud !== ctx.identity.deviceId) {
    throw new DiscoError('ERR_REQUEST_WRONG_AUDIENCE', 'This request was made for another device.');
  }
  if (htu !== path)
    throw new DiscoError(
      'ERR_REQUEST_WRONG_AUDIENCE',
      'This request was made for another endpoint.',
    );
  const skew = POLICY.maxSkewSeconds;
  if (
    iat > now + skew ||
    exp <= now - skew ||
    exp - iat > POLICY.requestMaxAgeSeconds ||
    exp < iat
  ) {
    throw new DiscoError(
      'ERR_REQUEST_EXPIRED',
      'The request is expired or not yet valid (check the clock).',
    );
  }
  return p as RequestClaims;
}
