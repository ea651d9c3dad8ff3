import { sha256 } from '@noble/hashes/sha2.js';
import { DiscoError } from '../../errors/index.js';
import type { CborValue } from '../cbor/index.js';
import {
  IC_HASHTREE_EMPTY,
  IC_HASHTREE_FORK,
  IC_HASHTREE_LABELED,
  IC_HASHTREE_LEAF,
} from '../domain_separators.js';

/** A hash tree (interface spec §Certificate; CDDL in §Encoding of certificates). */
export type HashTree =
  | readonly [0]
  | readonly [1, HashTree, HashTree]
  | readonly [2, Uint8Array, HashTree]
  | readonly [3, Uint8Array]
  | readonly [4, Uint8Array];

const malformed = (why: string) => new DiscoError('ERR_IC_TREE_MALFORMED', `hash tree: ${why}`);

/** Checks the CBOR shape of a hash tree; anything else is ERR_IC_TREE_MALFORMED. */
export function parseHashTree(value: CborValue | undefined, depth = 0): HashTree {
  if (depth > 120) throw malformed('too deep');
  if (!Array.isArray(value) || typeof value[0] !== 'number') throw malformed('not a node');
  const [tag, a, b] = value;
  switch (tag) {
    case 0:
      if (value.length === 1) return [0];
      break;
    case 1:
      if (value.length === 3) return [1, parseHashTree(a, depth + 1), parseHashTree(b, depth + 1)];
      break;
    case 2:
      if (value.length === 3 && a instanceof Uint8Array) {
        return [2, a, parseHashTree(b, depth + 1)];
      }
      break;
    case 3:
      if (value.length === 2 && a instanceof Uint8Array) return [3, a];
      break;
    case 4:
      if (value.length === 2 && a instanceof Uint8Array && a.length === 32) return [4, a];
      break;
  }
  throw malformed(`bad node ${String(tag)}`);
}

function hashOf(...parts: Uint8Array[]): Uint8Array {
  const hash = sha256.create();
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** reconstruct(tree): the root hash (interface spec §Certificate, `reconstruct`). */
export function reconstruct(tree: HashTree): Uint8Array {
  switch (tree[0]) {
    case 0:
      return hashOf(IC_HASHTREE_EMPTY);
    case 1:
      return hashOf(IC_HASHTREE_FORK, reconstruct(tree[1]), reconstruct(tree[2]));
    case 2:
      return hashOf(IC_HASHTREE_LABELED, tree[1], reconstruct(tree[2]));
    case 3:
      return hashOf(IC_HASHTREE_LEAF, tree[1]);
    case 4:
      return tree[1];
  }
}
