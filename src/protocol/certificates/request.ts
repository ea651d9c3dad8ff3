import type { Capability } from './capabilities.js';
import type { InlineIcon } from './icon_image.js';

/**
 * A certificate request (issue #8, the seed's `nimona.io/peer.CertificateRequest`): what an app
 * shows by QR code or link so the person's device can issue it a certificate. Signed by `subject`,
 * which proves the app holds the key the certificate will name. Wire names in docs/wire/certificates.md.
 */
export interface CertificateRequest {
  /** SHA-256 of the signed bytes, base64url; a certificate names it in `req`. */
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  /** The app's page; its origin is the origin the request claims. */
  readonly url: string;
  /**
   * An icon on the same origin as `url` (never a third party's), fetched when the card is shown;
   * or, instead, `iconImage`: the icon's own bytes inside the request, shown without asking
   * anyone (the app learns nothing from it). The wire has one field, `icon`: text or bytes.
   */
  readonly icon?: string;
  readonly iconImage?: InlineIcon;
  /** The app's Ed25519 public key (32 bytes), the certificate's future subject. */
  readonly subject: Uint8Array;
  readonly capabilities: readonly Capability[];
  /** The lifetime the app asks for, in seconds; the person may shorten it. */
  readonly lifetime: number;
  /** Profile fields the app asks for; the person picks which to grant. */
  readonly fields: readonly string[];
  /** Where the device sends the certificate back (`?certificate=…` appended); same origin. */
  readonly returnUrl?: string;
  readonly nonce: Uint8Array;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export type CertificateRequestInput = Omit<
  CertificateRequest,
  'id' | 'issuedAt' | 'expiresAt' | 'iconImage'
> & {
  /** The icon's bytes (PNG, JPEG, GIF, WebP or SVG, at most 2048), instead of `icon`. */
  readonly iconImage?: Uint8Array;
  /** Seconds the request stays valid (default and maximum 600). */
  readonly validFor?: number;
};

export const REQUEST_FIELDS = [
  'name',
  'desc',
  'url',
  'icon',
  'sub',
  'cap',
  'ttl',
  'fields',
  'ret',
  'nonce',
  'iat',
  'exp',
] as const;
