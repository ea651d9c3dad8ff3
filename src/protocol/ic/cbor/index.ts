export { checkCbor, DEFAULT_CBOR_LIMITS, SELF_DESCRIBE_TAG, type CborLimits } from './limits.js';
export { decodeCbor, natOf, type CborValue } from './decode.js';
export { encodeCbor, type CborInput } from './encode.js';
