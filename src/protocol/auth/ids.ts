import { sha256 } from '@noble/hashes/sha2.js';
import { b64u, type Random } from '../encoding/index.js';

/** 128 random bits, base64url: ids nobody can guess (pending requests, grants, rules). */
export function newId(random: Random): string {
  return b64u.encode(random(16));
}

/**
 * SHA-256, base64url: how client secrets are kept. @noble/hashes, synchronously: for the few
 * dozen bytes hashed here a WebCrypto digest costs more in its trip to the thread pool than in
 * hashing (issue #13). Still async, so callers need not change.
 */
export function sha256b64u(text: string): Promise<string> {
  return Promise.resolve(b64u.encode(sha256(new TextEncoder().encode(text))));
}
