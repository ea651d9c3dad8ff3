import { parsePublicKey } from '../keys/index.js';
import { Principal } from '../principal/index.js';
import { findLabel, flattenForks, lookupPath } from './lookup.js';
import type { VerifiedCertificate } from './verify_certificate.js';

/**
 * The node keys of a subnet from a verified certificate of `/subnet` (interface spec §Subnet
 * information: `/subnet/<subnet_id>/node/<node_id>/public_key`, Ed25519 DER). Keyed by the node
 * principal's text, for checking query signatures. Pruned nodes are left out; a key that is not
 * exact Ed25519 DER is left out too, so a signature by that node is refused.
 */
export function subnetNodeKeys(
  cert: VerifiedCertificate,
  subnetId: Principal,
): Map<string, Uint8Array> {
  const keys = new Map<string, Uint8Array>();
  let subtree = cert.tree;
  for (const label of ['subnet', subnetId.toUint8Array(), 'node']) {
    const found = findLabel(label, subtree);
    if (found.status !== 'found') return keys;
    subtree = found.value;
  }
  for (const node of flattenForks(subtree)) {
    if (node[0] !== 2) continue;
    const key = lookupPath(['public_key'], node[2]);
    if (key.status !== 'found') continue;
    try {
      const der = parsePublicKey(key.value, ['ed25519']).der;
      keys.set(Principal.fromUint8Array(node[1]).toText(), der);
    } catch {
      // not an exact Ed25519 key or not a principal: leave it out
    }
  }
  return keys;
}
