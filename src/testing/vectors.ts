import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The public test vectors (../shared/vectors, see its SOURCES.md). CI clones the repo with
 * shared/ beside it; DISCO_VECTORS_DIR overrides. A missing folder fails loudly: vector tests
 * must never pass by running nothing.
 */
export const VECTORS_DIR =
  process.env.DISCO_VECTORS_DIR ??
  resolve(import.meta.dirname, '..', '..', '..', 'shared', 'vectors');

if (!existsSync(resolve(VECTORS_DIR, 'SOURCES.md'))) {
  throw new Error(`Test vectors not found at ${VECTORS_DIR}: set DISCO_VECTORS_DIR.`);
}
