import { DiscoError } from '../../errors/index.js';
import { decodeCbor, type CborValue } from '../cbor/index.js';
import { parseHashTree, type HashTree } from './hash_tree.js';

/** A decoded certificate (interface spec §Encoding of certificates), not yet verified. */
export interface Certificate {
  readonly tree: HashTree;
  readonly signature: Uint8Array;
  readonly delegation?: { readonly subnetId: Uint8Array; readonly certificate: Uint8Array };
}

const malformed = (why: string) => new DiscoError('ERR_IC_CERT_MALFORMED', `certificate: ${why}`);

const isMap = (value: CborValue | undefined): value is { [key: string]: CborValue } =>
  value !== null &&
  typeof value === 'object' &&
  !Array.isArray(value) &&
  !(value instanceof Uint8Array);

/** Decodes the CBOR of a certificate and checks its shape; unknown fields are ignored. */
export function parseCertificate(bytes: Uint8Array): Certificate {
  let value: CborValue;
  try {
    value = decodeCbor(bytes);
  } catch (cause) {
    throw new DiscoError('ERR_IC_CERT_MALFORMED', 'certificate: not CBOR', { cause });
  }
  if (!isMap(value)) throw malformed('not a map');
  const { tree, signature, delegation } = value;
  if (!(signature instanceof Uint8Array)) throw malformed('no signature');
  const parsed = { tree: parseHashTree(tree), signature };
  if (delegation === undefined) return parsed;
  if (!isMap(delegation)) throw malformed('delegation is not a map');
  const { subnet_id: subnetId, certificate } = delegation;
  if (!(subnetId instanceof Uint8Array) || !(certificate instanceof Uint8Array)) {
    throw malformed('delegation lacks subnet_id or certificate');
  }
  return { ...parsed, delegation: { subnetId, certificate } };
}
