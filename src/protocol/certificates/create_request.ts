import { DiscoError } from '../errors/index.js';
import { capabilitiesToWire } from './capabilities.js';
import { sealEnvelope, TAGS, type Signer } from './envelope.js';
import { CAPABILITY_LIMITS, secondsOf } from './limits.js';
import { parseRequest } from './parse_request.js';
import type { CertificateRequestInput } from './request.js';

/**
 * Builds and signs a certificate request with the app's key (issue #8 "CertificateRequest").
 * The result is parsed back before it is returned, so an app can never hand out a request the
 * device would refuse. `now` is milliseconds (the project's Clock).
 */
export async function createRequest(input: CertificateRequestInput, sign: Signer, now: number) {
  if (input.icon !== undefined && input.iconImage !== undefined) {
    throw new DiscoError('ERR_INVALID_INPUT', 'request: an icon URL or its bytes, not both');
  }
  const iat = secondsOf(now);
  const validFor = Math.min(
    input.validFor ?? CAPABILITY_LIMITS.maxRequestLifetime,
    CAPABILITY_LIMITS.maxRequestLifetime,
  );
  const { bytes } = await sealEnvelope(
    TAGS.request,
    {
      name: input.name,
      desc: input.description,
      url: input.url,
      icon: input.iconImage ?? input.icon,
      sub: input.subject,
      cap: capabilitiesToWire(input.capabilities),
      ttl: input.lifetime,
      fields: input.fields.length > 0 ? [...input.fields] : undefined,
      ret: input.returnUrl,
      nonce: input.nonce,
      iat,
      exp: iat + validFor,
    },
    sign,
  );
  const request = await parseRequest(bytes, { now });
  return { bytes, request };
}
