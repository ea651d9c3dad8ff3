import { b64u } from '../../protocol/encoding/index.js';
import { DiscoError, isDiscoError } from '../../protocol/errors/index.js';
import {
  importCertificateKey,
  parseCertificate,
  type ParsedCertificate,
} from '../../protocol/x509/index.js';

/** The request header that carries the RP's certificate (in production: set by the TLS proxy). */
export const CLIENT_CERTIFICATE_HEADER = 'disco-client-certificate';
/** Longest header value read: a 64 KiB DER certificate does not fit any HTTP header anyway. */
const MAX_HEADER_CHARS = 16 * 1024;
/** Clock difference tolerated on the RP's validity window. */
const SKEW_MS = 60_000;

function decodeHeader(value: string): string | Uint8Array {
  let text = value.trim();
  // URL-encoded PEM, as TLS proxies forward it (nginx $ssl_client_escaped_cert)
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      throw new DiscoError('ERR_CERT_MALFORMED', 'the certificate header is not decodable');
    }
  }
  if (text.startsWith('-----BEGIN')) return text;
  try {
    if (/^[A-Za-z0-9_-]+$/.test(text)) return b64u.decode(text);
  } catch {
    // a length no base64url string has ("hello"): the same answer as any other garbage
  }
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return new Uint8Array(Buffer.from(text, 'base64'));
  throw new DiscoError(
    'ERR_CERT_MALFORMED',
    'the certificate header must be base64url DER, base64 DER or PEM on one line',
  );
}

/**
 * Reads the RP's certificate from the `disco-client-certificate` header and checks what the
 * relay needs: it parses (ERR_CERT_MALFORMED), is within its validity window
 * (ERR_CERT_EXPIRED, ERR_CERT_NOT_YET_VALID), is not a CA (ERR_CERT_BASIC_CONSTRAINTS,
 * ERR_CERT_KEY_USAGE for keyCertSign), and its key can be encrypted to
 * (ERR_CERT_KEY_UNSUPPORTED, ERR_CERT_KEY_USAGE). Trust (chains, pins) is the device's to
 * decide, not the relay's: the relay is not trusted.
 */
export async function readClientCertificate(
  header: string | string[] | undefined,
  nowMs: number,
): Promise<{ cert: ParsedCertificate; key: CryptoKey }> {
  if (typeof header !== 'string' || header.length === 0)
    throw new DiscoError(
      'ERR_INVALID_INPUT',
      `the ${CLIENT_CERTIFICATE_HEADER} header is required`,
    );
  if (header.length > MAX_HEADER_CHARS)
    throw new DiscoError('ERR_CERT_MALFORMED', 'the certificate header is too long');
  const cert = await parseCertificate(decodeHeader(header)).catch((err: unknown) => {
    // whatever the parser makes of garbage, the caller sent a malformed certificate (never a 500)
    if (isDiscoError(err)) throw err;
    throw new DiscoError('ERR_CERT_MALFORMED', 'the certificate cannot be parsed');
  });
  if (nowMs + SKEW_MS < cert.notBefore.getTime())
    throw new DiscoError('ERR_CERT_NOT_YET_VALID', 'the certificate is not valid yet');
  if (nowMs - SKEW_MS > cert.notAfter.getTime())
    throw new DiscoError('ERR_CERT_EXPIRED', 'the certificate has expired');
  if (cert.basicConstraints?.ca)
    throw new DiscoError('ERR_CERT_BASIC_CONSTRAINTS', 'a CA certificate cannot pair');
  const usage = cert.keyUsage;
  if (usage?.includes('keyCertSign'))
    throw new DiscoError('ERR_CERT_KEY_USAGE', 'a client certificate must not assert keyCertSign');
  const key = await importCertificateKey(cert, 'encrypt').catch((err: unknown) => {
    if (isDiscoError(err)) throw err;
    throw new DiscoError('ERR_CERT_KEY_UNSUPPORTED', 'the certificate key cannot be used');
  });
  const needed = cert.publicKey.type === 'RSA' ? 'keyEncipherment' : 'keyAgreement';
  if (usage && !usage.includes(needed))
    throw new DiscoError('ERR_CERT_KEY_USAGE', `keyUsage must allow ${needed}`);
  return { cert, key };
}

/** PEM (RFC 7468 §5) of a DER certificate, 64 characters a line. */
export function toPem(der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
