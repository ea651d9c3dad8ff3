import { CompactSign, compactVerify, decodeJwt, decodeProtectedHeader, type JWK } from 'jose';
import { DiscoError } from '../errors/index.js';
import { utf8 } from '../encoding/index.js';
import { open, seal } from '../jose/index.js';

/**
 * The client request on the wire (docs/wire/engine.md "Requests: signed, then sealed"): a JWS
 * signed with the client certificate's key, sealed in a JWE to the device's envelope key
 * (sign-then-encrypt, RFC 7519 §11.2). The SDK builds it (`sealClientRequest`), the device reads
 * it (`openClientRequest`, `verifyClientRequest`); who may sign is the device's business
 * (src/protocol/auth/client_request.ts). The signature step uses `jose` directly: the request
 * algorithms (PS256, RS256, ES256, EdDSA) are not the device tokens' (`protocol/jose/token`,
 * EdDSA only); the envelope is `protocol/jose`'s.
 */

/** JWS `typ` of a client request (RFC 8725 §3.11). */
export const REQUEST_TYP = 'disco-request+jwt';
/** Signature algorithms a client certificate key may use. */
export const REQUEST_ALGS = ['PS256', 'RS256', 'ES256', 'EdDSA'] as const;
export type RequestAlg = (typeof REQUEST_ALGS)[number];

/** Signs the claims with the client key (JWS) and seals them to the device's envelope key (JWE). */
export async function sealClientRequest(
  claims: Record<string, unknown>,
  signer: { alg: RequestAlg; key: CryptoKey },
  device: { deviceId: string; envelopeJwk: JWK },
): Promise<string> {
  const jws = await new CompactSign(utf8.encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: signer.alg, typ: REQUEST_TYP })
    .sign(signer.key);
  return seal(utf8.encode(jws), device.envelopeJwk, {
    contentType: 'JWT',
    kid: `${device.deviceId}#enc`,
  });
}

/** A request out of its envelope, header checked, signature not yet. */
export interface OpenedClientRequest {
  jws: string;
  alg: RequestAlg;
  /** Claims as sent, unverified: only for finding who should have signed. */
  unverified: Record<string, unknown>;
}

const bad = (why: string) => new DiscoError('ERR_REQUEST_MALFORMED', why);

/**
 * Opens the envelope and checks the JWS header: `typ`, no `crit`, no `b64` (an RFC 7797 payload
 * reads differently to a verifier than to a claims decoder), an accepted `alg`.
 *
 * @throws DiscoError `ERR_REQUEST_MALFORMED`, `ERR_REQUEST_SIGNATURE` (alg), `ERR_JWE_*`.
 */
export async function openClientRequest(
  body: Uint8Array | undefined,
  envelopeKey: CryptoKey,
): Promise<OpenedClientRequest> {
  if (!body || body.byteLength === 0) throw bad('The request has no body.');
  const { plaintext } = await open(utf8.decode(body).trim(), envelopeKey);
  let jws: string;
  let header: ReturnType<typeof decodeProtectedHeader>;
  let unverified: Record<string, unknown>;
  try {
    jws = utf8.decode(plaintext);
    header = decodeProtectedHeader(jws);
    unverified = decodeJwt(jws);
  } catch {
    throw bad('The envelope does not hold a signed request.');
  }
  if (header.typ !== REQUEST_TYP) throw bad(`The request must have typ ${REQUEST_TYP}.`);
  if ('crit' in header || 'b64' in header) throw bad('The request may carry no crit or b64.');
  const alg = header.alg ?? '';
  if (!(REQUEST_ALGS as readonly string[]).includes(alg)) {
    throw new DiscoError('ERR_REQUEST_SIGNATURE', `Signature algorithm ${alg} is not accepted.`);
  }
  return { jws, alg: alg as RequestAlg, unverified };
}

/**
 * Checks the signature with the signer's key and returns the signed payload's bytes.
 *
 * @throws DiscoError `ERR_REQUEST_SIGNATURE` when the key does not verify it.
 */
export async function verifyClientRequest(
  req: OpenedClientRequest,
  key: CryptoKey,
): Promise<Uint8Array> {
  try {
    const { payload } = await compactVerify(req.jws, key, { algorithms: [req.alg] });
    return payload;
  } catch {
    throw new DiscoError(
      'ERR_REQUEST_SIGNATURE',
      'The request signature does not verify with the client certificate.',
    );
  }
}

/** The signed claims: a JSON object, or `ERR_REQUEST_MALFORMED`. */
export function requestClaims(payload: Uint8Array): Record<string, unknown> {
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
