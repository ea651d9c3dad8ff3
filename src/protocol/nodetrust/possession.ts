import { b64u, utf8 } from '../encoding/index.js';
import type { PeerId } from './peer_id.js';
import { domainMessage, DOMAINS, type Signer } from './signed_document.js';
import { bytes } from '../encoding/index.js';
import { importPeerKey } from './peer_id.js';

/** Length of a proof server's challenge (random bytes). */
export const CHALLENGE_BYTES = 32;

/**
 * What a client signs to prove it holds its peer key before a proof server vouches for it: the
 * server's own peer id and its fresh challenge, under the possession domain (so the signature
 * is good for that server and that challenge only, and can never pass as a proof or a request).
 */
function possessionMessage(server: string, challenge: Uint8Array): Uint8Array {
  const head = utf8.encode(`${server}\0`);
  const body = new Uint8Array(head.length + challenge.length);
  body.set(head);
  body.set(challenge, head.length);
  return domainMessage(DOMAINS.possession, body);
}

/** The client's answer to a challenge (base64url Ed25519 signature). */
export async function signPossession(
  signer: Signer,
  server: string,
  challenge: Uint8Array,
): Promise<string> {
  return b64u.encode(await signer.sign(possessionMessage(server, challenge)));
}

/** True when `signature` (base64url) is `peer`'s answer to `challenge` from `server`. */
export async function verifyPossession(
  peer: PeerId,
  server: string,
  challenge: Uint8Array,
  signature: string,
  subtle = crypto.subtle,
): Promise<boolean> {
  let sig: Uint8Array;
  try {
    sig = b64u.decode(signature);
  } catch {
    return false;
  }
  if (sig.length !== 64) return false;
  const key = await importPeerKey(peer, subtle);
  return subtle.verify('Ed25519', key, bytes(sig), bytes(possessionMessage(server, challenge)));
}
