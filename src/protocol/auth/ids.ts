import { b64u, type Random } from '../encoding/index.js';

/** 128 random bits, base64url: ids nobody can guess (pending requests, grants, rules). */
export function newId(random: Random): string {
  return b64u.encode(random(16));
}
