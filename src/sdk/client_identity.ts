import { x509 } from '../protocol/x509/lib/peculiar.js';
import { b64u, type Clock } from '../protocol/encoding/index.js';
import { DiscoError } from '../protocol/errors/index.js';

/** A relying party's key material: one key pair, imported for each use it has. */
export interface ClientIdentity {
  certificatePem: string;
  /**
   * `x5t#S256` of the certificate: base64url SHA-256 of its DER (RFC 8705 §3.1). A trusted
   * partner gives it to the company that asks key B for it (`requestKeyB(keyA, { clientId,
   * thumbprint }, …)`).
   */
  thumbprint: string;
  /** Signs requests (JWS). */
  signKey: CryptoKey;
  /** Opens the device's answers (JWE). */
  decryptKey: CryptoKey;
  /** The JWS algorithm of `signKey`. */
  alg: 'PS256' | 'ES256';
}

/** base64url SHA-256 of a PEM certificate's DER. */
async function thumbprintOfPem(pem: string): Promise<string> {
  const b64 = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(
    pem,
  )?.[1];
  if (!b64) throw new DiscoError('ERR_CERT_MALFORMED', 'The certificate is not a PEM certificate.');
  const der = b64u.decode(
    b64.replace(/\s/g, '').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
  );
  return b64u.encode(
    new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new Uint8Array(der))),
  );
}

const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/**
 * Imports a relying party's PKCS#8 private key (PEM or DER) for both of its uses: RSA → RSA-PSS
 * (PS256) and RSA-OAEP-256; EC P-256 → ECDSA (ES256) and ECDH (ECDH-ES+A256KW).
 */
export async function importClientIdentity(
  certificatePem: string,
  pkcs8: Uint8Array | string,
  kind: 'RSA' | 'P-256',
): Promise<ClientIdentity> {
  const der =
    typeof pkcs8 === 'string'
      ? Uint8Array.from(atob(pkcs8.replace(/-----[^-]+-----|\s/g, '')), (c) => c.charCodeAt(0))
      : pkcs8;
  const raw = new Uint8Array(der).buffer;
  const subtle = globalThis.crypto.subtle;
  const thumbprint = await thumbprintOfPem(certificatePem);
  if (kind === 'RSA') {
    return {
      certificatePem,
      thumbprint,
      alg: 'PS256',
      signKey: await subtle.importKey('pkcs8', raw, { name: 'RSA-PSS', hash: 'SHA-256' }, false, [
        'sign',
      ]),
      decryptKey: await subtle.importKey(
        'pkcs8',
        raw,
        { name: 'RSA-OAEP', hash: 'SHA-256' },
        false,
        ['decrypt', 'unwrapKey'],
      ),
    };
  }
  return {
    certificatePem,
    thumbprint,
    alg: 'ES256',
    signKey: await subtle.importKey('pkcs8', raw, { name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
    ]),
    decryptKey: await subtle.importKey('pkcs8', raw, { name: 'ECDH', namedCurve: 'P-256' }, false, [
      'deriveBits',
    ]),
  };
}

/**
 * Makes a self-signed client certificate (not a CA; digitalSignature plus keyEncipherment for RSA
 * or keyAgreement for EC; extended key usage clientAuth) and its key, for development and demos.
 * Production relying parties use a certificate from an authority the person trusts.
 */
export async function createClientIdentity(opts: {
  name: string;
  kind?: 'RSA' | 'P-256';
  clock: Clock;
  days?: number;
}): Promise<ClientIdentity & { pkcs8: Uint8Array }> {
  const kind = opts.kind ?? 'P-256';
  const alg =
    kind === 'RSA'
      ? {
          name: 'RSASSA-PKCS1-v1_5',
          hash: 'SHA-256',
          publicExponent: new Uint8Array([1, 0, 1]),
          modulusLength: 2048,
        }
      : { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await crypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const now = opts.clock.now();
  const usage =
    x509.KeyUsageFlags.digitalSignature |
    (kind === 'RSA' ? x509.KeyUsageFlags.keyEncipherment : x509.KeyUsageFlags.keyAgreement);
  const serial = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: `01${serial}`,
    name: `CN=${opts.name.replace(/[,=+<>#;"\\]/g, ' ')}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + (opts.days ?? 365) * 86_400_000),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(usage, true),
      new x509.ExtendedKeyUsageExtension([EKU_CLIENT_AUTH]),
    ],
  });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { ...(await importClientIdentity(cert.toString('pem'), pkcs8, kind)), pkcs8 };
}
