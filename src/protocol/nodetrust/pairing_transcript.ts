/**
 * The pairing transcript a certified device signs (docs/wire/nodetrust.md "Device certificates
 * at pairing"): apart from the verification, so the device app loads no X.509 code to pair.
 */
import { b64u, bytes, utf8 } from '../encoding/index.js';

/**
 * A device's nodetrust certificate presented at pairing (docs/wire/relay.md `POST /uid`,
 * docs/wire/nodetrust.md "Device certificates at pairing"): the chain the CA sent, and the
 * certificate key's signature of the pairing transcript.
 */
export interface DeviceCertificatePresentation {
  /** Leaf first, each the standard base64 of one DER certificate (like JWK `x5c`, RFC 7517 §4.7). */
  readonly certificate_chain: readonly string[];
  /** base64url of the ECDSA P-256 / SHA-256 signature (IEEE P1363 `r ‖ s`, 64 bytes). */
  readonly certificate_signature: string;
}

const ECDSA_P256 = { name: 'ECDSA', hash: 'SHA-256' } as const;

export const PAIRING_TRANSCRIPT_DOMAIN = 'disco-pairing-device-certificate-v1';

/**
 * The bytes the certificate key signs at pairing:
 * `utf8(domain) ‖ 0x00 ‖ utf8(uid as XXXX-XXXX) ‖ 0x00 ‖ utf8(device_id)`.
 * The uid names one pairing, single-use, which the relay bound to the company's certificate when
 * the company asked for it; the device id binds the identity key the company pins. The company's
 * certificate thumbprint is not in it because the device learns that certificate only in the
 * relay's answer to the very request that carries the signature.
 */
export function pairingTranscript(uid: string, deviceId: string): Uint8Array<ArrayBuffer> {
  return bytes(utf8.encode(`${PAIRING_TRANSCRIPT_DOMAIN}\0${uid}\0${deviceId}`));
}

/** Signs the pairing transcript with the device's (non-extractable) P-256 certificate key. */
export async function signPairingTranscript(
  privateKey: CryptoKey,
  uid: string,
  deviceId: string,
  subtle = crypto.subtle,
): Promise<string> {
  const signature = await subtle.sign(ECDSA_P256, privateKey, pairingTranscript(uid, deviceId));
  return b64u.encode(new Uint8Array(signature));
}

/** Standard base64 (RFC 4648 §4) of DER, as `certificate_chain` carries it. */
export function derToBase64(der: Uint8Array): string {
  let text = '';
  for (const byte of der) text += String.fromCharCode(byte);
  return btoa(text);
}
