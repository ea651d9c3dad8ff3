import { DiscoError, ERROR_CODES, type ErrorCode } from '../protocol/errors/index.js';
import { openJson } from '../protocol/jose/index.js';
import type { JWK } from 'jose';
import type { ClientIdentity } from './client_identity.js';
import { fetchDeviceInfo } from './device_info.js';
import type { DeviceInfo } from './messages.js';
import { fetchTransport, type Transport } from './transport.js';
import { checkDeviceCertificate, type DeviceCertificatePolicy } from './device_certificate.js';
import type { VerifiedDeviceCertificate } from '../protocol/nodetrust/device_certificate.js';

/** What the relay says when a device has paired (docs/wire/relay.md). */
export interface PairedDevice {
  uid: string;
  device_id: string;
  peer_id: string;
  public_key: JWK;
  proxy_url: string;
  /** A certified device's chain (leaf first, base64 DER) and transcript signature, as posted. */
  certificate_chain?: string[];
  certificate_signature?: string;
  /**
   * Set by the SDK, never by the relay: the device certificate, verified against the configured
   * trust anchors (docs/wire/nodetrust.md), or null when the device presented none (or no anchor
   * is configured).
   */
  certificate: VerifiedDeviceCertificate | null;
}

export interface Pairing {
  /** What the person types: `XXXX-XXXX`. */
  uid: string;
  /** What the QR code holds: the uid and this client's certificate thumbprint. */
  qr: string;
  expiresIn: number;
  /** The challenge the relay sealed to this client's key, decrypted: registration proves it. */
  challenge: string;
  /** Waits until the person enters the uid on their device; then the device is pinned. */
  wait(opts?: {
    signal?: AbortSignal;
    timeoutMs?: number;
  }): Promise<{ paired: PairedDevice; device: DeviceInfo; transport: Transport }>;
}

async function relayError(res: Response): Promise<DiscoError> {
  const body = (await res.json().catch(() => ({}))) as {
    code?: string;
    error_description?: string;
  };
  const code =
    body.code && body.code in ERROR_CODES ? (body.code as ErrorCode) : 'ERR_TRANSPORT_FAILED';
  return new DiscoError(code, body.error_description ?? `The relay answered HTTP ${res.status}.`);
}

/** How long a just-paired device that cannot be reached is asked again for its metadata. */
const PIN_RETRY_MS = 15_000;

/**
 * Starts pairing at a relay (DESIGN.md flow 1): asks for a uid with this client's certificate,
 * opens the challenge the relay sealed to the certificate key, and returns a `wait` that
 * long-polls until the device pairs. The device's keys are then read through the tunnel (asked
 * again for up to PIN_RETRY_MS should the device blink just then) and must match the key the
 * relay reported (and that key must be the device id's): the client pins them, and every answer
 * later must be signed by that key. With `trustAnchors`, a device certificate the device
 * presents is verified (`paired.certificate`); `requireDeviceCertificate` refuses a device
 * without one (ERR_DEVICE_CERT_REQUIRED).
 */
export async function startPairing(
  relayUrl: string,
  me: ClientIdentity,
  opts: { callback?: string; fetchFn?: typeof fetch } & DeviceCertificatePolicy = {},
): Promise<Pairing> {
  const fetchFn = opts.fetchFn ?? fetch;
  const base = relayUrl.replace(/\/+$/, '');
  const query = opts.callback ? `?callback=${encodeURIComponent(opts.callback)}` : '';
  const der = me.certificatePem.replace(/-----[^-]+-----|\s/g, '');
  const res = await fetchFn(`${base}/uid${query}`, {
    headers: { 'disco-client-certificate': der },
  }).catch((cause: unknown) => {
    throw new DiscoError('ERR_TRANSPORT_FAILED', `The relay ${base} cannot be reached.`, { cause });
  });
  if (!res.ok) throw await relayError(res);
  const body = (await res.json()) as {
    uid: string;
    expires_in: number;
    challenge: string;
    wait_url: string;
    wait_token: string;
    qr: string;
  };
  const { value } = await openJson(body.challenge, me.decryptKey);
  const challenge = (value as { challenge?: unknown }).challenge;
  if (typeof challenge !== 'string')
    throw new DiscoError('ERR_RESPONSE_UNTRUSTED', 'The relay sent a damaged challenge.');

  const wait: Pairing['wait'] = async ({ signal, timeoutMs = body.expires_in * 1000 } = {}) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (signal?.aborted) throw new DiscoError('ERR_ABORTED', 'Cancelled.');
      if (Date.now() > deadline)
        throw new DiscoError('ERR_TIMEOUT', 'Nobody entered the pairing code in time.');
      const r = await fetchFn(new URL(body.wait_url, `${base}/`), {
        headers: { authorization: `Bearer ${body.wait_token}` },
        ...(signal ? { signal } : {}),
      }).catch((cause: unknown) => {
        if (signal?.aborted) throw new DiscoError('ERR_ABORTED', 'Cancelled.');
        throw new DiscoError('ERR_TRANSPORT_FAILED', 'The relay cannot be reached.', { cause });
      });
      if (r.status === 204) continue;
      if (!r.ok) throw await relayError(r);
      const answer = (await r.json()) as Omit<PairedDevice, 'certificate'>;
      // the company's own uid, not the relay's echo: the transcript names this pairing
      const certificate = await checkDeviceCertificate(answer, body.uid, opts);
      const paired: PairedDevice = { ...answer, certificate };
      const transport = fetchTransport(paired.proxy_url, fetchFn);
      // The device just answered the pairing, so it is online: a miss now is a blink (its page
      // reloading, its relay connection renewed on a busy phone), asked again for a while.
      const device = await fetchDeviceInfo(transport, paired.device_id, {
        retryForMs: Math.max(0, Math.min(PIN_RETRY_MS, deadline - Date.now())),
        ...(signal ? { signal } : {}),
      });
      if (device.signingJwk.x !== paired.public_key.x) {
        throw new DiscoError(
          'ERR_RESPONSE_UNTRUSTED',
          'The device key does not match what the relay reported.',
        );
      }
      return { paired, device, transport };
    }
  };
  return { uid: body.uid, qr: body.qr, expiresIn: body.expires_in, challenge, wait };
}
