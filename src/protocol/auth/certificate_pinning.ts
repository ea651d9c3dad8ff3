import { isDiscoError } from '../errors/index.js';
import { validateCertificate, type ParsedCertificate } from '../x509/index.js';
import { malformed } from './checks.js';
import type { AuthContext } from './context.js';
import { consentUnknown, notAClient } from './refusals.js';
import {
  COLLECTIONS,
  type CertificateView,
  type ClientRecord,
  type PendingRecord,
} from './records.js';

/**
 * Certificate pinning: which certificate must have signed a request, and whether it is valid.
 *
 * | request                 | signed by                                                        |
 * | ----------------------- | ---------------------------------------------------------------- |
 * | register                | the certificate in its `certificate` claim                       |
 * | register poll           | the certificate of the register request it polls for             |
 * | every other             | the certificate pinned when the client registered (`iss`)        |
 *
 * The certificate is then validated (src/protocol/x509/): a registered client's against its pin;
 * a new one against the person's trust anchors, or, self-signed, pinned by the person's approval
 * (`unverified` until then).
 */
export interface Signer {
  cert: ParsedCertificate;
  /** Set when the request claims to come from a registered client. */
  client?: ClientRecord;
}

/**
 * Every endpoint but register: the registered client named by `iss`. Whatever fails on the way
 * (no such client, its stored certificate unusable) answers as `notAClient`.
 */
export async function pinnedSigner(iss: string, ctx: AuthContext): Promise<Signer> {
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
export async function registerSigner(
  pollId: string | undefined,
  certificate: unknown,
  ctx: AuthContext,
): Promise<Signer> {
  let pem = certificate;
  if (pollId !== undefined) {
    const p = await ctx.store.get<PendingRecord>(COLLECTIONS.pending, pollId);
    if (p?.work.kind !== 'register') throw consentUnknown();
    pem = p.work.certificatePem;
  }
  if (typeof pem !== 'string') throw malformed('The request carries no certificate.');
  // Possibly a parse kept from an earlier request (same bytes): validity, trust, pin and key
  // usage are checked on every request all the same.
  return { cert: await ctx.certificates.parse(pem) };
}

/** Validates the signer's certificate: against its pin, or as a new client's (see above). */
export async function checkCertificate(
  { cert, client }: Signer,
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
