import { sha256 } from '@noble/hashes/sha2.js';
import { b64u } from '../encoding/index.js';

/**
 * SHA-256, base64url: how client secrets are kept. @noble/hashes, synchronously: for the few
 * dozen bytes hashed here a WebCrypto digest costs more in its trip to the thread pool than in
 * hashing (issue #13). Still async, so callers need not change. A file of its own, apart from
 * `newId`, so the device page (which makes ids) does not load a hash it never runs: the first
 * paint stays under 50 KB.
 */
export function sha256b64u(text: string): Promise<string> {
  return Promise.resolve(b64u.encode(sha256(new TextEncoder().encode(text))));
}
