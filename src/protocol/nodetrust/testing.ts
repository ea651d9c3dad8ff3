import { ed25519Signer, type Signer } from './signed_document.js';

/** A fresh Ed25519 signer (tests and local servers). */
export async function newSigner(): Promise<Signer> {
  const keys = await crypto.subtle.generateKey('Ed25519', false, ['sign', 'verify']);
  return ed25519Signer(keys);
}
