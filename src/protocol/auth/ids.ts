import { b64u, type Random } from '../encoding/index.js';

/** 128 random bits, base64url: ids nobody can guess (pending requests, grants, rules). */
export function newId(random: Random): string {
  return b64u.encode(random(16));
}

/** SHA-256, base64url: how client secrets are kept. */
export async function sha256b64u(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return b64u.encode(new Uint8Array(digest));
}
