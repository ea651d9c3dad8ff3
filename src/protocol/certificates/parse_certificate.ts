import { b64u } from '../encoding/index.js';
import { DiscoError } from '../errors/index.js';
import type { CapValue } from './cbor.js';
import { parseCapabilities } from './capabilities.js';
import { CERTIFICATE_FIELDS, type Certificate } from './certificate.js';
import { isMap, openEnvelope, TAGS, verifyEd25519 } from './envelope.js';
import {
  appUrl,
  isText,
  keyField,
  nonceField,
  onlyFields,
  optional,
  PROFILE_FIELD,
  timeField,
} from './fields.js';
import { CAPABILITY_LIMITS } from './limits.js';

const malformed = (why: string) => new DiscoError('ERR_CAP_MALFORMED', `certificate: ${why}`);

/**
 * Parses a certificate and checks its signature by `iss` (docs/wire/certificates.md "Certificate").
 * Time, trust, revocation and chain rules are the verifier's (`verifyCapability`); a parsed
 * certificate is only well-formed and signed by the key it names.
 */
export async function parseCertificate(input: Uint8Array): Promise<Certificate> {
  const opened = await openEnvelope(input, TAGS.certificate, CAPABILITY_LIMITS.maxCertificateBytes);
  const body = opened.body;
  onlyFields(body, CERTIFICATE_FIELDS);
  const nbf = timeField(body, 'nbf');
  const exp = timeField(body, 'exp');
  if (exp <= nbf || exp - nbf > CAPABILITY_LIMITS.maxCertificateLifetime) {
    throw malformed('exp: after nbf, at most 366 days later');
  }
  const certificate: Certificate = {
    id: opened.id,
    bytes: input,
    issuer: keyField(body, 'iss'),
    subject: keyField(body, 'sub'),
    capabilities: parseCapabilities(body.cap),
    notBefore: nbf,
    expiresAt: exp,
    nonce: nonceField(body),
    ...optional('parent', idField(body, 'prf')),
    ...optional('request', idField(body, 'req')),
    ...optional('revocationUrl', body.rev === undefined ? undefined : appUrl(body.rev, 'rev').href),
    ...optional('profile', profileField(body.prof)),
  };
  if (!(await verifyEd25519(certificate.issuer, opened.signed, opened.signature))) {
    throw new DiscoError('ERR_CAP_SIGNATURE_INVALID', 'certificate: not signed by its issuer key');
  }
  return certificate;
}

/** A document id on the wire: the 32 raw bytes of the SHA-256. */
function idField(body: Record<string, CapValue>, name: string): string | undefined {
  const v = body[name];
  if (v === undefined) return undefined;
  if (!(v instanceof Uint8Array) || v.length !== 32) throw malformed(`${name}: a 32-byte id`);
  return b64u.encode(v);
}

function profileField(value: CapValue | undefined): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isMap(value)) throw malformed('prof: a map');
  const entries = Object.entries(value);
  if (entries.length === 0 || entries.length > CAPABILITY_LIMITS.maxProfileFields) {
    throw malformed('prof: 1 to 16 fields');
  }
  for (const [k, v] of entries) {
    if (
      !PROFILE_FIELD.test(k) ||
      typeof v !== 'string' ||
      !isText(v, CAPABILITY_LIMITS.maxProfileValueLength)
    ) {
      throw malformed('prof: field names and short text values');
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}
