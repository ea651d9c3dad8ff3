import { b64u } from '../encoding/index.js';
import type { CapValue } from './cbor.js';
import { capabilitiesToWire } from './capabilities.js';
import type { CertificateInput } from './certificate.js';
import { sealEnvelope, TAGS, type Signer } from './envelope.js';
import { parseCertificate } from './parse_certificate.js';

/**
 * Signs a certificate with the issuer's key through `sign` (for the device, its non-extractable
 * WebCrypto identity key: `ed25519Signer(keys.identity)`). The result is parsed back, so a
 * certificate the verifier would refuse as malformed is never handed out.
 */
export async function issueCertificate(input: CertificateInput, sign: Signer) {
  const body: Record<string, CapValue | undefined> = {
    iss: input.issuer,
    sub: input.subject,
    cap: capabilitiesToWire(input.capabilities),
    nbf: input.notBefore,
    exp: input.expiresAt,
    nonce: input.nonce,
    prf: input.parent === undefined ? undefined : b64u.decode(input.parent),
    req: input.request === undefined ? undefined : b64u.decode(input.request),
    rev: input.revocationUrl,
    prof: input.profile,
  };
  const { bytes } = await sealEnvelope(TAGS.certificate, body, sign);
  return parseCertificate(bytes);
}
