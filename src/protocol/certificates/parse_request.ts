import { DiscoError } from '../errors/index.js';
import { parseCapabilities } from './capabilities.js';
import { openEnvelope, TAGS, verifyEd25519 } from './envelope.js';
import {
  appUrl,
  keyField,
  nonceField,
  onlyFields,
  optional,
  optionalText,
  PROFILE_FIELD,
  textField,
  timeField,
} from './fields.js';
import { sniffIcon } from './icon_image.js';
import { CAPABILITY_LIMITS, secondsOf } from './limits.js';
import { REQUEST_FIELDS, type CertificateRequest } from './request.js';

const malformed = (why: string) => new DiscoError('ERR_CAP_MALFORMED', `request: ${why}`);

/**
 * Parses and checks a certificate request (docs/wire/certificates.md "Request"): size, canonical
 * encoding, every field, the origin rules (icon and return URL on the app's own origin), its
 * short lifetime against `now` (milliseconds, ±60 s skew) and its signature by `sub`.
 * A passing request proves possession of `sub`; it does not prove the origin: see
 * `requestOrigin` for that.
 */
export async function parseRequest(
  input: Uint8Array,
  opts: { now: number },
): Promise<CertificateRequest> {
  const opened = await openEnvelope(input, TAGS.request, CAPABILITY_LIMITS.maxRequestBytes);
  const body = opened.body;
  onlyFields(body, REQUEST_FIELDS);
  const url = appUrl(body.url, 'url');
  const icon =
    body.icon === undefined || body.icon instanceof Uint8Array
      ? undefined
      : sameOrigin(appUrl(body.icon, 'icon'), url, 'icon');
  const iconImage = body.icon instanceof Uint8Array ? sniffIcon(body.icon) : undefined;
  const ret = body.ret === undefined ? undefined : sameOrigin(appUrl(body.ret, 'ret'), url, 'ret');
  const ttl = timeField(body, 'ttl');
  if (ttl < 1 || ttl > CAPABILITY_LIMITS.maxCertificateLifetime) {
    throw malformed('ttl: 1 second to 366 days');
  }
  const fields = body.fields === undefined ? [] : body.fields;
  if (
    !Array.isArray(fields) ||
    fields.length > CAPABILITY_LIMITS.maxProfileFields ||
    fields.some((f) => typeof f !== 'string' || !PROFILE_FIELD.test(f)) ||
    new Set(fields).size !== fields.length ||
    (body.fields !== undefined && fields.length === 0)
  ) {
    throw malformed('fields: up to 16 distinct field names');
  }
  const iat = timeField(body, 'iat');
  const exp = timeField(body, 'exp');
  if (exp <= iat || exp - iat > CAPABILITY_LIMITS.maxRequestLifetime) {
    throw malformed('exp: after iat, at most 10 minutes later');
  }
  const now = secondsOf(opts.now);
  if (iat > now + CAPABILITY_LIMITS.skew)
    throw new DiscoError('ERR_CAP_NOT_YET_VALID', 'request: issued in the future');
  if (now > exp + CAPABILITY_LIMITS.skew)
    throw new DiscoError('ERR_CAP_EXPIRED', 'request: expired');
  const request: CertificateRequest = {
    id: opened.id,
    name: textField(body, 'name', 64),
    ...optional('description', optionalText(body, 'desc', 280)),
    url: url.href,
    ...optional('icon', icon),
    ...optional('iconImage', iconImage),
    subject: keyField(body, 'sub'),
    capabilities: parseCapabilities(body.cap),
    lifetime: ttl,
    fields: fields as string[],
    ...optional('returnUrl', ret),
    nonce: nonceField(body),
    issuedAt: iat,
    expiresAt: exp,
  };
  if (!(await verifyEd25519(request.subject, opened.signed, opened.signature))) {
    throw new DiscoError('ERR_CAP_SIGNATURE_INVALID', 'request: not signed by its subject key');
  }
  return request;
}

function sameOrigin(url: URL, app: URL, name: string): string {
  if (url.origin !== app.origin) {
    throw new DiscoError('ERR_CAP_ORIGIN_MISMATCH', `request: ${name} is not on the app's origin`);
  }
  return url.href;
}
