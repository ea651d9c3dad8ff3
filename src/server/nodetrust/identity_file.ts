import { generateKeyPairSync, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';

/**
 * A node's Ed25519 identity kept in a PKCS #8 PEM file (mode 0600), made at first use: a relay's
 * discovery record is found by its peer id, so the id must survive restarts. Returns WebCrypto
 * keys; the private one is not extractable from this process's side.
 */
export async function loadOrCreateIdentity(path: string): Promise<CryptoKeyPair> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw err;
    pem = generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    // 'wx': never overwrite a key another process wrote meanwhile
    await writeFile(path, pem, { mode: 0o600, flag: 'wx' });
  }
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`${path}: not an Ed25519 private key`);
  }
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return {
    privateKey: await crypto.subtle.importKey('pkcs8', pkcs8, 'Ed25519', false, ['sign']),
    publicKey: await crypto.subtle.importKey('spki', spki, 'Ed25519', true, ['verify']),
  };
}
