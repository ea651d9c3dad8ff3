import { DiscoError } from '../protocol/errors/index.js';
import {
  verifyDeviceCertificate,
  type VerifiedDeviceCertificate,
} from '../protocol/nodetrust/device_certificate.js';
import { parseCertificate, type ParsedCertificate } from '../protocol/x509/index.js';

/** How a company treats device certificates at pairing (docs/wire/nodetrust.md). */
export interface DeviceCertificatePolicy {
  /**
   * PEM certificates of the CAs trusted for device certificates: the nodetrust CA's root (pebble's
   * in tests, public roots in production). Without any, a presented certificate is not checked
   * and `paired.certificate` is null.
   */
  readonly trustAnchors?: readonly string[];
  /** Nodetrust zones accepted in device names; any zone when absent. */
  readonly deviceCertificateZones?: readonly string[];
  /** Refuse a device without a valid certificate (ERR_DEVICE_CERT_REQUIRED). */
  readonly requireDeviceCertificate?: boolean;
}

/** The optional members of the relay's paired answer a certified device adds. */
export interface CertifiedFields {
  readonly device_id: string;
  readonly public_key: { readonly x?: unknown };
  readonly certificate_chain?: unknown;
  readonly certificate_signature?: unknown;
}

/** Parses the anchors once per pairing; a bad anchor is the company's own mistake: it throws. */
export async function parseAnchors(pems: readonly string[]): Promise<ParsedCertificate[]> {
  return Promise.all(pems.map((pem) => parseCertificate(pem)));
}

/**
 * The company's check of a device certificate (docs/wire/nodetrust.md "Device certificates at
 * pairing"): null when the device presented none (ERR_DEVICE_CERT_REQUIRED if one is required) or
 * the company trusts no CA for them; otherwise `verifyDeviceCertificate` against the anchors,
 * with the company's own uid and the pinned key, its errors passed on: a certificate that is
 * presented but does not verify fails the pairing, as a tampered pairing would.
 */
export async function checkDeviceCertificate(
  paired: CertifiedFields,
  uid: string,
  policy: DeviceCertificatePolicy,
  now: number = Date.now(),
): Promise<VerifiedDeviceCertificate | null> {
  const anchors = policy.trustAnchors ?? [];
  const presented = paired.certificate_chain !== undefined;
  if (!presented || anchors.length === 0) {
    if (policy.requireDeviceCertificate)
      throw new DiscoError(
        'ERR_DEVICE_CERT_REQUIRED',
        presented
          ? 'No trust anchor is configured for device certificates.'
          : 'The device has no device certificate, and this company requires one.',
      );
    return null;
  }
  const x = paired.public_key.x;
  return verifyDeviceCertificate({
    certificateChain: paired.certificate_chain,
    certificateSignature: paired.certificate_signature,
    uid,
    deviceId: paired.device_id,
    identityKeyX: typeof x === 'string' ? x : '',
    anchors: await parseAnchors(anchors),
    ...(policy.deviceCertificateZones ? { zones: policy.deviceCertificateZones } : {}),
    now,
  });
}
