import { DiscoError } from '../errors/index.js';
import { isAttenuation, type Capability } from './capabilities.js';
import type { CertificateInput } from './certificate.js';
import { optional } from './fields.js';
import { secondsOf } from './limits.js';
import type { CertificateRequest } from './request.js';

/** What the person decided on the Requests page. Each part may only narrow the request. */
export interface GrantChoices {
  /** Seconds; at most what the app asked for (default: what it asked for). */
  readonly lifetime?: number;
  /** A subset of the requested capabilities (default: all of them). */
  readonly capabilities?: readonly Capability[];
  /** Values for some of the requested profile fields. */
  readonly profile?: Readonly<Record<string, string>>;
}

/**
 * Turns an approved request into the certificate to sign (issue #8 "What a person sees", 3):
 * issuer = the device identity key, subject = the app's key, starting now. The person's choices
 * can only narrow what was asked (ERR_CAP_WIDENED otherwise). `now` is milliseconds.
 */
export function grantRequest(
  request: CertificateRequest,
  choices: GrantChoices,
  device: { issuer: Uint8Array; now: number; nonce: Uint8Array; revocationUrl?: string },
): CertificateInput {
  const lifetime = choices.lifetime ?? request.lifetime;
  if (!Number.isSafeInteger(lifetime) || lifetime < 1 || lifetime > request.lifetime) {
    throw new DiscoError('ERR_CAP_WIDENED', 'grant: the lifetime is longer than asked');
  }
  const capabilities = choices.capabilities ?? request.capabilities;
  if (capabilities.length === 0 || !isAttenuation(request.capabilities, capabilities)) {
    throw new DiscoError('ERR_CAP_WIDENED', 'grant: capabilities not asked for');
  }
  const profile = choices.profile;
  if (profile !== undefined && Object.keys(profile).some((f) => !request.fields.includes(f))) {
    throw new DiscoError('ERR_CAP_WIDENED', 'grant: a profile field not asked for');
  }
  const notBefore = secondsOf(device.now);
  return {
    issuer: device.issuer,
    subject: request.subject,
    capabilities,
    notBefore,
    expiresAt: notBefore + lifetime,
    nonce: device.nonce,
    request: request.id,
    ...optional('revocationUrl', device.revocationUrl),
    ...optional('profile', profile && Object.keys(profile).length > 0 ? profile : undefined),
  };
}
