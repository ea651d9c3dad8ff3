import { sha256Id } from '../identity/device_id.js';

/**
 * The device's PeerJS id, derived from its identity key so it never changes and cannot be
 * chosen by anyone else: `disco-` + hex of the first 16 bytes of the device id (a SHA-256 JWK
 * thumbprint, ERR_INVALID_INPUT if it is not one). PeerJS ids allow letters, digits, `-` and `_`.
 */
export function peerIdOf(deviceId: string): string {
  const bytes = sha256Id(deviceId).slice(0, 16);
  return `disco-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export const PEER_ID_PATTERN = /^disco-[0-9a-f]{32}$/;
