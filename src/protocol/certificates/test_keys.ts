import { ed25519Signer, type Signer } from './envelope.js';

/** For tests and demos: a fresh Ed25519 key pair (WebCrypto), its raw public key and a signer. */
export interface TestKey {
  readonly publicKey: Uint8Array;
  readonly privateKey: CryptoKey;
  readonly sign: Signer;
}

/** Generates a key whose private half is non-extractable, as the device's identity key is. */
export async function generateKey(): Promise<TestKey> {
  const pair = await crypto.subtle.generateKey('Ed25519', false, ['sign', 'verify']);
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return { publicKey, privateKey: pair.privateKey, sign: ed25519Signer(pair.privateKey) };
}
