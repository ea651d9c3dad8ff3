/**
 * Where an app's capability request may be fetched from (docs/wire/certificates.md "Origin"): its own
 * origin, any https one, or http on loopback. The device must fetch `request_uri` itself to call
 * the origin verified, so connect-src cannot name the apps in advance. The fetch sends no
 * credentials; what the page may send anywhere is still limited by script-src 'self'.
 */
const CAPABILITY_REQUEST_SOURCES = [
  'https:',
  'http://127.0.0.1:*',
  'http://localhost:*',
  // no 'http://[::1]:*': Chromium refuses IPv6 literals in CSP sources (and reports it)
];

/**
 * The device app's HTTP security headers, in one place. The CSP allows only the app's own
 * scripts and styles (no inline script, no eval), blob: workers for the QR decoder, and
 * connections to this origin and the configured relay.
 */
export function securityHeaders(
  opts: { connectSrc?: readonly string[] } = {},
): Record<string, string> {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ${[...CAPABILITY_REQUEST_SOURCES, ...(opts.connectSrc ?? [])].join(' ')}`,
    "worker-src 'self' blob:",
    "manifest-src 'self'",
    "media-src 'self' blob: mediastream:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    // Internet Identity sign-in opens the provider in a popup and talks to it by postMessage:
    // `same-origin` would cut that popup off (no opener, `closed` at once). Pages that open us
    // are still kept apart.
    'cross-origin-opener-policy': 'same-origin-allow-popups',
    'permissions-policy': 'camera=(self), microphone=(), geolocation=(), payment=()',
    'x-frame-options': 'DENY',
  };
}
