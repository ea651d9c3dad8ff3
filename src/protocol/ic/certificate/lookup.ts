import type { HashTree } from './hash_tree.js';

/**
 * The four outcomes of a lookup (interface spec §Lookup), kept distinct: `absent` is a proof that
 * the path is not there, `unknown` means it was pruned away, `error` that the path ends inside
 * the tree rather than at a leaf.
 */
export type LookupResult =
  | { readonly status: 'found'; readonly value: Uint8Array }
  | { readonly status: 'absent' }
  | { readonly status: 'unknown' }
  | { readonly status: 'error' };

/** The same outcomes for a subtree: `found` carries the subtree. */
export type LabelResult =
  | { readonly status: 'found'; readonly value: HashTree }
  | { readonly status: 'absent' }
  | { readonly status: 'unknown' };

export type Label = Uint8Array | string;

const utf8 = new TextEncoder();
const bytesOf = (label: Label): Uint8Array =>
  typeof label === 'string' ? utf8.encode(label) : label;

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}

/** flatten_forks (spec §Lookup). */
export function flattenForks(tree: HashTree): HashTree[] {
  if (tree[0] === 0) return [];
  if (tree[0] === 1) return [...flattenForks(tree[1]), ...flattenForks(tree[2])];
  return [tree];
}

/** find_label (spec §Lookup): its clauses in the spec's order, each over the whole forest. */
export function findLabel(label: Label, tree: HashTree): LabelResult {
  const l = bytesOf(label);
  const trees = flattenForks(tree);
  const labelOf = (node: HashTree | undefined) => (node?.[0] === 2 ? node[1] : undefined);
  for (const node of trees) {
    if (node[0] === 2 && compare(node[1], l) === 0) return { status: 'found', value: node[2] };
  }
  for (let i = 0; i + 1 < trees.length; i++) {
    const l1 = labelOf(trees[i]);
    const l2 = labelOf(trees[i + 1]);
    if (l1 && l2 && compare(l1, l) < 0 && compare(l, l2) < 0) return { status: 'absent' };
  }
  const first = labelOf(trees[0]);
  if (first && compare(l, first) < 0) return { status: 'absent' };
  const last = labelOf(trees[trees.length - 1]);
  if (last && compare(last, l) < 0) return { status: 'absent' };
  if (trees.length === 0 || (trees.length === 1 && trees[0]![0] === 3)) return { status: 'absent' };
  return { status: 'unknown' };
}

/** lookup_path (spec §Lookup). Labels may be text (UTF-8) or bytes. */
export function lookupPath(path: readonly Label[], tree: HashTree): LookupResult {
  if (path.length === 0) {
    switch (tree[0]) {
      case 0:
        return { status: 'absent' };
      case 3:
        return { status: 'found', value: tree[1] };
      case 4:
        return { status: 'unknown' };
      default:
        return { status: 'error' };
    }
  }
  const found = findLabel(path[0]!, tree);
  return found.status === 'found' ? lookupPath(path.slice(1), found.value) : found;
}

/**
 * well_formed (spec §Lookup): labels strictly increasing within each forest, no leaf beside
 * labeled nodes. Canister signature trees must be well formed (spec §Canister signatures).
 */
export function isWellFormed(tree: HashTree): boolean {
  if (tree[0] === 3) return true;
  const trees = flattenForks(tree);
  let previous: Uint8Array | undefined;
  for (const node of trees) {
    if (node[0] === 3) return false;
    if (node[0] === 2) {
      if (previous !== undefined && compare(previous, node[1]) >= 0) return false;
      previous = node[1];
      if (!isWellFormed(node[2])) return false;
    }
  }
  return true;
}
