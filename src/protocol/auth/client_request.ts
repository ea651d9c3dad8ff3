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

const bad = (why: string) => new DiscoError('ERR_REQUEST_MALFORMED', why);

/** The RP's key for checking a JWS of this `alg`. */
function verifyKey(cert: ParsedCertificate, alg: string): Promise<CryptoKey> {
  return importCertificateKey(cert, 'verify', {
    rsaScheme: alg === 'RS256' ? 'RSASSA-PKCS1-v1_5' : 'RSA-PSS',
  });
}

/**
 * Reads a client request: a JWS signed by the client's certificate key, sealed in a JWE to the
 * device's envelope key (sign-then-encrypt, RFC 7519 §11.2). Checks, in order: the envelope, the
 * header, who signed (the certificate in the claims for `register`, else the registered client's
 * pinned certificate), the signature, then the claims: `aud` is this device, `htu` this endpoint,
 * `iat`/`exp` fresh, `jti` present. Replay guards come back as ops for the caller's transaction.
 */
export async function readClientRequest(
  body: Uint8Array | undefined,
  path: string,
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
  const alg = header.alg ?? '';
  if (!(REQUEST_ALGS as readonly string[]).includes(alg)) {
    throw new DiscoError('ERR_REQUEST_SIGNATURE', `Signature algorithm ${alg} is not accepted.`);
  }
  const isRegister = path.endsWith('/register');
  let client: ClientRecord | undefined;
  let pem: unknown;
  if (isRegister)
    pem = unverified.certificate ?? (await pendingCertificate(unverified.auth_req_id, ctx));
  else {
    const iss = typeof unverified.iss === 'string' ? unverified.iss : '';
    client = iss ? await ctx.store.get<ClientRecord>(COLLECTIONS.clients, iss) : undefined;
    if (!client)
      throw new DiscoError('ERR_CLIENT_UNKNOWN', 'This client is not registered with the device.');
    pem = client.certificatePem;
  }
  if (typeof pem !== 'string') throw bad('The request carries no certificate.');
  // Possibly a parse kept from an earlier request (same bytes): validity, trust, pin and key
  // usage are checked below on every request all the same.
  const cert = await ctx.certificates.parse(pem);
  const trust = await checkCertificate(cert, client, ctx);

  try {
    await compactVerify(jws, await verifyKey(cert, alg), { algorithms: [alg] });
  } catch (err) {
    if (isDiscoError(err)) throw err;
    throw new DiscoError(
      'ERR_REQUEST_SIGNATURE',
      'The request signature does not verify with the client certificate.',
    );
  }
  const claims = checkClaims(unverified, path, ctx);
  if (client && claims.iss !== client.clientId) throw bad('iss is not the client.');
  const exp = claims.exp * 1000;
  const seen: WriteOp[] = [
    {
      op: 'add',
      collection: COLLECTIONS.seen,
      key: `jti:${cert.thumbprint}:${claims.jti}`,
      value: { exp },
    },
  ];
  return { claims, cert, trust, ...(client ? { client } : {}), seen };
}

/** A register poll is signed with the certificate of the request it polls for. */
async function pendingCertificate(id: unknown, ctx: AuthContext): Promise<unknown> {
  if (typeof id !== 'string' || id.length > 64) return undefined;
  const p = await ctx.store.get<PendingRecord>(COLLECTIONS.pending, id);
  return p?.kind === 'register' ? p.work.certificatePem : undefined;
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
    throw new DiscoError('ERR_REQUEST_WRONG_AUDIENCE', `This request was made for ${String(htu)}.`);
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
